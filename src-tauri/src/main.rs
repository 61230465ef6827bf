//! The sobaucu desktop app: a Tauri 2 window over the application layer (`sobaucu-app`). The
//! window shows `ui/`; the commands in [`commands`] are one-line adapters over
//! [`sobaucu_app::App`], which also runs the background sync.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

use tauri::Manager;

fn main() {
    // What the app did (syncs, their outcomes), on the error stream, never personal data.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("SOBAUCU_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let data_dir = sobaucu_core::default_data_dir();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let host = commands::TauriHost { app: app.handle().clone() };
            let state: commands::AppState = std::sync::Arc::new(sobaucu_app::App::new(host, data_dir));
            app.manage(state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::unlock,
            commands::lock,
            commands::record_history,
            commands::candidate_confidence,
            commands::save_template,
            commands::election_date_check,
            commands::check_rules,
            commands::list_units,
            commands::search_units,
            commands::init_ledger,
            commands::create_demo,
            commands::schema,
            commands::dashboard,
            commands::list_records,
            commands::get_record,
            commands::save_record,
            commands::delete_record,
            commands::report,
            commands::sync_status,
            commands::enroll_hub,
            commands::sync_now,
            commands::bundle_export,
            commands::bundle_import,
            commands::list_conflicts,
            commands::list_refused,
            commands::resolve_conflict,
            commands::list_settlements,
            commands::deleted,
            commands::election_day,
            commands::undelete,
            commands::settle_again,
            commands::choose_import_file,
            commands::import_preview,
            commands::import_file,
            commands::imports,
            commands::undo_import,
            commands::export_report,
            commands::print_voter_list,
            commands::print_candidates,
            commands::print_voter_lists,
            commands::print_list,
            commands::print_count_minutes,
            commands::print_unit_result,
            commands::open_written,
            commands::print_written,
            commands::progress,
            commands::duplicates,
            commands::decide_duplicate,
            commands::backup,
            commands::restore_backup,
            commands::users,
            commands::hub_status,
            commands::hub_start,
            commands::hub_stop,
            commands::hub_units,
            commands::hub_issue_code,
            commands::hub_children,
            commands::hub_revoke,
        ])
        .run(tauri::generate_context!())
        .expect("error while running sobaucu");
}
