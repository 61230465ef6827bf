// store.js — what the whole window knows once the ledger is open: this node (unit, election
// date, law) and the schema of record kinds, plus lookups into that schema.
// Screens read from here instead of fetching the schema again; nothing here calls the shell.

import { pick } from './i18n.js';

const state = {
  node: null,
  user: null, // { name, role } of whoever opened the ledger
  schema: { groups: [], kinds: [] },
  kindsByName: new Map(),
};

/** Stores the schema fetched once at startup. */
export function setSchema(schema) {
  state.schema = {
    groups: Array.isArray(schema?.groups) ? schema.groups : [],
    kinds: Array.isArray(schema?.kinds) ? schema.kinds : [],
  };
  state.kindsByName = new Map(state.schema.kinds.map((kind) => [kind.kind, kind]));
}

/** Stores this node (from app_info, init_ledger, create_demo or dashboard). */
export function setNode(node) {
  state.node = node || null;
}

export function getNode() {
  return state.node;
}

/** Stores who opened the ledger (app_info's `user`: { name, role }). */
export function setUser(user) {
  state.user = user || null;
}

export function getUser() {
  return state.user;
}

/** Whether the user may change records (every role but viewer; the core refuses anyway). */
export function canWrite() {
  return state.user?.role !== 'viewer';
}

/** Whether the user may back up and restore, sync and import (chair and secretary). */
export function canManage() {
  return state.user?.role === 'chair' || state.user?.role === 'secretary';
}

/** Whether the node's unit has units below it (a district or a province): its ledger holds
 * their records, and it follows their progress. */
export function hasUnitsBelow(node = state.node) {
  return Boolean(node?.unit?.level) && node.unit.level !== 'commune';
}

export function getSchema() {
  return state.schema;
}

/** The choices a field offers on this ledger: since 2025 (scheme "2025") there are no district
 * councils, so no form, import or filter offers "HĐND huyện". */
export function fieldOptions(field) {
  const options = field?.options || [];
  const ballotLevels = options.some((o) => o.value === 'na') && options.some((o) => o.value === 'district');
  if (ballotLevels && String(state.node?.scheme ?? '') === '2025') return options.filter((o) => o.value !== 'district');
  return options;
}

/** The description of one kind, or undefined. */
export function kindDef(kind) {
  return state.kindsByName.get(kind);
}

/** The description of one field of a kind, or undefined. */
export function fieldDef(kind, name) {
  return kindDef(kind)?.fields?.find((field) => field.name === name);
}

/** The kind's label in the current language ("Cử tri" / "Voters"). */
export function kindLabel(kind) {
  const def = typeof kind === 'string' ? kindDef(kind) : kind;
  return def ? pick(def) || def.kind : String(kind);
}

/**
 * The kinds grouped for the sidebar and the dashboard, in schema order:
 * [{ group: {id, vi, en}, kinds: [kindDef] }]. Kinds whose group is unknown go to a last
 * group with id "_other".
 */
export function groupedKinds() {
  const { groups, kinds } = state.schema;
  const result = groups.map((group) => ({ group, kinds: kinds.filter((kind) => kind.group === group.id) }));
  const known = new Set(groups.map((group) => group.id));
  // The `system` kinds (the figures a ledger publishes) are written by the core, never by hand.
  const orphans = kinds.filter((kind) => !known.has(kind.group) && kind.group !== 'system');
  if (orphans.length) result.push({ group: { id: '_other', vi: 'Khác', en: 'Other' }, kinds: orphans });
  return result.filter((entry) => entry.kinds.length > 0);
}

/**
 * Finds a label for a bare value name used as a key somewhere (report keys): a kind name,
 * an option value of any field, or a field name. Returns null when the schema has none.
 */
export function schemaLabelFor(key) {
  const singular = key.endsWith('s') ? key.slice(0, -1) : key;
  const kind = kindDef(key) || kindDef(singular);
  if (kind) return kindLabel(kind);
  for (const def of state.schema.kinds) {
    for (const field of def.fields || []) {
      const option = (field.options || []).find((candidate) => candidate.value === key);
      if (option) return pick(option);
    }
  }
  for (const def of state.schema.kinds) {
    const field = (def.fields || []).find((candidate) => candidate.name === key);
    if (field) return pick(field);
  }
  return null;
}
