//! The commands the window calls (`ui/README.md` is the contract). Each is a line or two over
//! sobaucu-core; errors reach the UI as `{kind, message, message_vi, fields}`.

use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::{Map, Value};
use sobaucu_core::api;
use sobaucu_core::{ListQuery, Store};
use tauri::State;

/// The open ledger, shared by every command.
pub struct AppState {
    store: Mutex<Store>,
}

impl AppState {
    pub fn open(dir: PathBuf) -> sobaucu_core::Result<AppState> {
        Ok(AppState { store: Mutex::new(Store::open(&dir)?) })
    }
}

/// The error payload the UI receives.
#[derive(Debug, Serialize)]
pub struct UiError {
    kind: &'static str,
    message: String,
    message_vi: String,
    fields: Vec<sobaucu_core::FieldError>,
}

impl From<sobaucu_core::Error> for UiError {
    fn from(e: sobaucu_core::Error) -> Self {
        UiError { kind: e.kind(), message: e.to_string(), message_vi: e.message_vi(), fields: e.fields().to_vec() }
    }
}

type Reply<T> = Result<T, UiError>;

fn with<T>(state: &State<'_, AppState>, f: impl FnOnce(&mut Store) -> sobaucu_core::Result<T>) -> Reply<T> {
    let mut store = state.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut store).map_err(UiError::from)
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Reply<Value> {
    with(&state, |s| api::app_info(s))
}

#[tauri::command]
pub fn list_units(scheme: String, parent: Option<String>) -> Reply<Value> {
    api::list_units(&scheme, parent.as_deref()).map_err(UiError::from)
}

#[tauri::command]
pub fn search_units(scheme: String, query: String) -> Reply<Value> {
    api::search_units(&scheme, &query).map_err(UiError::from)
}

#[tauri::command]
pub fn init_ledger(
    state: State<'_, AppState>,
    unit: String,
    scheme: String,
    election_date: String,
    law: Option<String>,
) -> Reply<Value> {
    with(&state, |s| api::init_ledger(s, &unit, &scheme, &election_date, law.as_deref()))
}

#[tauri::command]
pub fn create_demo(state: State<'_, AppState>) -> Reply<Value> {
    with(&state, api::create_demo)
}

#[tauri::command]
pub fn schema() -> Value {
    api::schema()
}

#[tauri::command]
pub fn dashboard(state: State<'_, AppState>) -> Reply<Value> {
    with(&state, |s| api::dashboard(s))
}

#[tauri::command]
pub fn list_records(state: State<'_, AppState>, kind: String, query: Option<ListQuery>) -> Reply<Value> {
    with(&state, |s| api::list_records(s, &kind, &query.unwrap_or_default()))
}

#[tauri::command]
pub fn get_record(state: State<'_, AppState>, kind: String, id: String) -> Reply<Value> {
    with(&state, |s| api::get_record(s, &kind, &id))
}

#[tauri::command]
pub fn save_record(
    state: State<'_, AppState>,
    kind: String,
    id: Option<String>,
    fields: Map<String, Value>,
) -> Reply<Value> {
    with(&state, |s| api::save_record(s, &kind, id.as_deref(), &fields))
}

#[tauri::command]
pub fn delete_record(state: State<'_, AppState>, kind: String, id: String) -> Reply<()> {
    with(&state, |s| api::delete_record(s, &kind, &id))
}

#[tauri::command]
pub fn report(state: State<'_, AppState>) -> Reply<Value> {
    with(&state, |s| api::report(s))
}
