/**
 * Characters that change how text reads without being seen: C0/C1 controls, DEL, and the bidi marks, embeddings,
 * overrides and isolates (U+202E shows "abc\u202Eevil" as "abclive"). Not ZWJ, which emoji sequences need.
 * Parameters refuse them (validate.ts); names and descriptions of workflow files, which anyone may share, are shown
 * with them spelled out instead.
 */
export const HIDDEN_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const HIDDEN_CHARACTERS = new RegExp(HIDDEN_CHARACTER.source, 'g');

/** A character's code point as `U+202E`. */
export const codePointOf = (c: string): string => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** The text with each hidden character written as ⟨U+XXXX⟩, so that it reads as what it is. */
export const showHiddenCharacters = (text: string): string =>
  text.replace(HIDDEN_CHARACTERS, (c) => `⟨${codePointOf(c)}⟩`);
