//! The sobaucu desktop app: a Tauri 2 window over sobaucu-core. The window shows `ui/`; the
//! commands in [`commands`] are one-line adapters over the core.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

fn main() {
    let data_dir = sobaucu_core::default_data_dir();
    let state = commands::AppState::open(data_dir).expect("the ledger's data directory can be opened");
    tauri::Builder::default()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
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
        ])
        .run(tauri::generate_context!())
        .expect("error while running sobaucu");
}
