// dates.js — the one place that turns dates between what people type and read (dd/mm/yyyy,
// mm/yyyy, yyyy) and what the core stores (YYYY-MM-DD, YYYY-MM, YYYY).
// Pure functions with no DOM access, so they can be checked under plain node.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_MONTH = /^(\d{4})-(\d{2})$/;
const ISO_YEAR = /^(\d{4})$/;
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/;

/** Two digits, zero-padded. */
function pad2(number) {
  return String(number).padStart(2, '0');
}

/** True when year-month-day is a real calendar day. */
export function isRealDay(year, month, day) {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/**
 * Shows a stored value the way people read it:
 * "2026-03-15" → "15/03/2026", "2026-03" → "03/2026", "2026" → "2026",
 * "2026-03-15T08:30:00" → "15/03/2026 08:30"; a timestamp with a zone ("…Z") or a Unix timestamp
 * number → local "dd/mm/yyyy HH:MM". Anything else is returned unchanged.
 */
export function displayDate(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' && Number.isFinite(value) && value > 1e9) {
    // A Unix timestamp (seconds or milliseconds), shown in local time.
    const when = new Date(value > 1e11 ? value : value * 1000);
    return `${pad2(when.getDate())}/${pad2(when.getMonth() + 1)}/${when.getFullYear()} ${pad2(when.getHours())}:${pad2(when.getMinutes())}`;
  }
  const text = String(value).trim();
  let match = ISO_DATE.exec(text);
  if (match) return `${match[3]}/${match[2]}/${match[1]}`;
  match = ISO_TIMESTAMP.exec(text);
  if (match) {
    // With a time zone ("Z", "+07:00") the moment is shown in this computer's local time.
    if (/(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
      const when = new Date(text);
      if (!Number.isNaN(when.getTime())) {
        return `${pad2(when.getDate())}/${pad2(when.getMonth() + 1)}/${when.getFullYear()} ${pad2(when.getHours())}:${pad2(when.getMinutes())}`;
      }
    }
    return `${match[3]}/${match[2]}/${match[1]} ${match[4]}:${match[5]}`;
  }
  match = ISO_MONTH.exec(text);
  if (match) return `${match[2]}/${match[1]}`;
  return text;
}

/**
 * Reads a full date typed as dd/mm/yyyy (also d/m/yyyy, with "-", "." or spaces as
 * separators) or already as YYYY-MM-DD. Returns "YYYY-MM-DD", or null when it is not a real day.
 */
export function parseDate(text) {
  const value = String(text ?? '').trim();
  let match = ISO_DATE.exec(value);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    return isRealDay(year, month, day) ? value : null;
  }
  match = /^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{4})$/.exec(value);
  if (!match) return null;
  const [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!isRealDay(year, month, day)) return null;
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/**
 * Reads a partial date: "yyyy", "mm/yyyy" or "dd/mm/yyyy" (or their ISO forms).
 * Returns "YYYY", "YYYY-MM" or "YYYY-MM-DD", or null when it cannot be read.
 */
export function parsePartialDate(text) {
  const value = String(text ?? '').trim();
  if (ISO_YEAR.test(value)) return value;
  let match = ISO_MONTH.exec(value);
  if (match) return Number(match[2]) >= 1 && Number(match[2]) <= 12 ? value : null;
  match = /^(\d{1,2})\s*[/.\-\s]\s*(\d{4})$/.exec(value);
  if (match) {
    const month = Number(match[1]);
    return month >= 1 && month <= 12 ? `${match[2]}-${pad2(month)}` : null;
  }
  return parseDate(value);
}

/** Whole days from ISO date `from` to ISO date `to` (positive when `to` is later). */
export function daysBetween(from, to) {
  const a = ISO_DATE.exec(String(from ?? ''));
  const b = ISO_DATE.exec(String(to ?? ''));
  if (!a || !b) return null;
  const start = Date.UTC(Number(a[1]), Number(a[2]) - 1, Number(a[3]));
  const end = Date.UTC(Number(b[1]), Number(b[2]) - 1, Number(b[3]));
  return Math.round((end - start) / 86400000);
}

/** Today's date on this computer as "YYYY-MM-DD" (local time, not UTC). */
export function todayIso() {
  const now = new Date();
  return `${now.getFullYear()}-${pad2(now.getMonth() + 1)}-${pad2(now.getDate())}`;
}

/** The local Date of a timestamp ("RFC 3339" string or Unix seconds/milliseconds), or null. */
export function parseMoment(value) {
  if (value === null || value === undefined || value === '') return null;
  let when;
  if (typeof value === 'number' && Number.isFinite(value)) when = new Date(value > 1e11 ? value : value * 1000);
  else when = new Date(String(value).trim());
  return Number.isNaN(when.getTime()) ? null : when;
}

/**
 * A moment in local time as a short clock: "14:05" when it falls on today (of `now`), else
 * "dd/mm 14:05". Returns "" for what cannot be read.
 */
export function shortMoment(value, now = new Date()) {
  const when = parseMoment(value);
  if (!when) return '';
  const clock = `${pad2(when.getHours())}:${pad2(when.getMinutes())}`;
  const sameDay = when.getFullYear() === now.getFullYear() && when.getMonth() === now.getMonth() && when.getDate() === now.getDate();
  return sameDay ? clock : `${pad2(when.getDate())}/${pad2(when.getMonth() + 1)} ${clock}`;
}

/** A moment in local time as "dd/mm/yyyy HH:MM"; "" for what cannot be read. */
export function fullMoment(value) {
  const when = parseMoment(value);
  if (!when) return '';
  return `${pad2(when.getDate())}/${pad2(when.getMonth() + 1)}/${when.getFullYear()} ${pad2(when.getHours())}:${pad2(when.getMinutes())}`;
}
