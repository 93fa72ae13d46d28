/**
 * CSV/TSV tables of numbers (papaparse): header row detected, quoted fields and a BOM accepted. The whole
 * file reads as the matrix of its numeric columns; `file.csv:col` or `file.csv:a,b` selects columns, and a
 * text column (class names) reads as class indices with the names in `classes`.
 */
import Papa from 'papaparse';
import { InputError } from '../errors';
import { fileStem } from './paths';
import type { Tensor, TensorInfo } from './tensor';

export interface CsvTable {
  columns: string[];
  hasHeader: boolean;
  /** Numeric columns as float64; text columns as strings. */
  values: (Float64Array | string[])[];
  rows: number;
}

const SPECIAL = new Map<string, number>([
  ['', NaN],
  ['nan', NaN],
  ['inf', Infinity],
  ['+inf', Infinity],
  ['-inf', -Infinity],
  ['infinity', Infinity],
  ['+infinity', Infinity],
  ['-infinity', -Infinity],
]);

/** A cell as a number, or undefined when it is text. Empty cells and nan/inf spellings are numbers. */
export function parseCell(cell: string): number | undefined {
  const s = cell.trim();
  const special = SPECIAL.get(s.toLowerCase());
  if (special !== undefined) return special;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

export function parseCsv(text: string, file: string, delimiter?: string): CsvTable {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), {
    delimiter: delimiter ?? '',
    skipEmptyLines: 'greedy',
  });
  const quoteError = parsed.errors.find((e) => e.type === 'Quotes');
  if (quoteError) {
    throw new InputError(file, `row ${(quoteError.row ?? 0) + 1}: ${quoteError.message}`, 'bad-header');
  }
  const rows = parsed.data;
  if (rows.length === 0) throw new InputError(file, 'the table is empty', 'bad-header');
  // A header is a first row that is all text, or has text above a number.
  const isText = (c: string | undefined) => c !== undefined && parseCell(c) === undefined;
  const hasHeader =
    rows[0].every(isText) || rows[0].some((c, j) => isText(c) && rows.length > 1 && !isText(rows[1][j]));
  const width = rows[0].length;
  const body = hasHeader ? rows.slice(1) : rows;
  body.forEach((r, i) => {
    if (r.length !== width) {
      throw new InputError(
        file,
        `row ${i + (hasHeader ? 2 : 1)} has ${r.length} fields, the ${hasHeader ? 'header' : 'first row'} has ${width}`,
        'shape-mismatch',
      );
    }
  });
  const columns = hasHeader ? rows[0].map((c, j) => c.trim() || String(j)) : rows[0].map((_, j) => String(j));
  const values = columns.map((_, j) => {
    const num = new Float64Array(body.length);
    for (let i = 0; i < body.length; i++) {
      const x = parseCell(body[i][j]);
      if (x === undefined) return body.map((r) => r[j].trim());
      num[i] = x;
    }
    return num;
  });
  return { columns, hasHeader, values, rows: body.length };
}

function numericIndices(t: CsvTable): number[] {
  return t.columns.map((_, j) => j).filter((j) => t.values[j] instanceof Float64Array);
}

export function listCsv(t: CsvTable, file: string): TensorInfo[] {
  const num = numericIndices(t);
  const whole: TensorInfo[] = num.length
    ? [{ name: fileStem(file), shape: [t.rows, num.length], dtype: 'float64' }]
    : [];
  return [
    ...whole,
    ...t.columns.map((name, j): TensorInfo => ({
      name,
      shape: [t.rows],
      dtype: t.values[j] instanceof Float64Array ? 'float64' : 'int32',
    })),
  ];
}

/** Class indices for a text column, with the distinct names sorted. */
function encodeClasses(cells: string[]): { data: Int32Array; classes: string[] } {
  const classes = [...new Set(cells)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const index = new Map(classes.map((c, i) => [c, i]));
  return { data: Int32Array.from(cells, (c) => index.get(c)!), classes };
}

/** The whole numeric matrix, or the columns named by `key` (comma-separated names or indices). */
export function csvTensor(t: CsvTable, file: string, key?: string): Tensor {
  if (key === undefined) {
    const num = numericIndices(t);
    if (num.length === 0) throw new InputError(file, 'no numeric columns', 'unsupported-format');
    const data = new Float64Array(t.rows * num.length);
    num.forEach((j, k) => {
      const col = t.values[j] as Float64Array;
      for (let i = 0; i < t.rows; i++) data[i * num.length + k] = col[i];
    });
    return { dtype: 'float64', shape: [t.rows, num.length], data };
  }
  const picks = key.split(',').map((name) => {
    const j = t.columns.indexOf(name.trim());
    if (j < 0)
      throw new InputError(file, `no column '${name}' (columns: ${t.columns.join(', ')})`, 'not-found');
    return j;
  });
  if (picks.length === 1) {
    const col = t.values[picks[0]];
    if (col instanceof Float64Array) return { dtype: 'float64', shape: [t.rows], data: col };
    return { dtype: 'int32', shape: [t.rows], ...encodeClasses(col) };
  }
  const data = new Float64Array(t.rows * picks.length);
  picks.forEach((j, k) => {
    const col = t.values[j];
    if (!(col instanceof Float64Array)) {
      throw new InputError(
        file,
        `column '${t.columns[j]}' is text; select it alone to read class labels`,
        'bad-parameter',
      );
    }
    for (let i = 0; i < t.rows; i++) data[i * picks.length + k] = col[i];
  });
  return { dtype: 'float64', shape: [t.rows, picks.length], data };
}
