// values.js — how a stored field value reads on screen, driven by the field's schema type:
// enum values by their label, levels by short labels, dates as dd/mm/yyyy, booleans as
// Có/Không, refs by the title the row carries. Used by lists (and anywhere a value is shown
// read-only). It never parses typed input: that is form.js with dates.js.

import { lang, pick, t } from './i18n.js';
import { displayDate } from './dates.js';

/**
 * Short labels for the usual ballot levels, used when an option carries no short_vi/short_en.
 * Keys are option values as the core is expected to name them.
 */
const SHORT_LEVELS = {
  na: { vi: 'QH', en: 'NA' },
  national: { vi: 'QH', en: 'NA' },
  provincial: { vi: 'Tỉnh', en: 'Prov.' },
  province: { vi: 'Tỉnh', en: 'Prov.' },
  district: { vi: 'Huyện', en: 'Dist.' },
  commune: { vi: 'Xã', en: 'Comm.' },
};

/** The option of an enum/levels field with this value, or undefined. */
export function findOption(field, value) {
  return (field.options || []).find((option) => String(option.value) === String(value));
}

/** The full label of an option value (the value itself when unknown). */
export function optionLabel(field, value) {
  const option = findOption(field, value);
  return option ? pick(option) || String(value) : String(value);
}

/** The short label of a level value: option short_vi/short_en, known abbreviation, or label. */
export function levelShortLabel(field, value) {
  const option = findOption(field, value);
  const own = option && option[`short_${lang()}`];
  if (own) return own;
  const known = SHORT_LEVELS[value];
  if (known) return known[lang()] ?? known.vi;
  const other = option && (option.short_vi || option.short_en);
  if (other) return other;
  return option ? pick(option) || String(value) : String(value);
}

/** Splits a levels value ("na,provincial") into its values. */
export function splitLevels(value) {
  if (Array.isArray(value)) return value.map(String);
  return String(value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/** True for the ways a boolean may arrive (true, 1, "true"). */
export function isTrue(value) {
  return value === true || value === 1 || value === '1' || value === 'true';
}

/** True when a value counts as empty (null, absent, blank string). */
export function isEmptyValue(value) {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/**
 * The text a list cell or a read-only place shows for `field` of `row`.
 * Returns "" for empty values; a boolean reads Có/Không (a "Không" can matter: quorum).
 */
export function displayFieldValue(field, row) {
  const value = row ? row[field.name] : undefined;
  if (field.type === 'bool') {
    if (value === null || value === undefined) return '';
    return isTrue(value) ? t('value.yes') : t('value.no');
  }
  if (isEmptyValue(value)) return '';
  switch (field.type) {
    case 'enum':
      return optionLabel(field, value);
    case 'levels':
      return splitLevels(value)
        .map((level) => levelShortLabel(field, level))
        .join(', ');
    case 'date':
    case 'partial_date':
      return displayDate(value);
    case 'ref': {
      const title = row[`${field.name}_title`];
      return isEmptyValue(title) ? String(value) : String(title);
    }
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}
