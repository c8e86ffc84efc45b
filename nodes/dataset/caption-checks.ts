/**
 * What DatasetReport says about a caption's text (QA S6-F13): the characters that train as something unseen
 * (controls, NUL, bidi overrides: parameters refuse them, but caption files are what trains), and captions longer
 * than any Stable Diffusion trainer reads. 75 to 225 CLIP tokens are not flagged: A1111 and ComfyUI read them in
 * chunks of 75 and kohya reads up to 225 with max_token_length.
 */
import { clipTokenizer } from '../../ml/sd/tokenizer';
import { codePointOf, HIDDEN_CHARACTER } from '../../protocol/visible-text';

/** kohya's longest max_token_length: three chunks of 75 CLIP tokens. */
export const MAX_CAPTION_TOKENS = 225;

/** Past this many characters a caption is over the limit whatever its words; the tokenizer reads only this much. */
const TOKENIZED_CHARS = 4 * MAX_CAPTION_TOKENS * 8;

/** The caption's problems, as DatasetReport lists them per image; empty when it is fine. */
export function captionProblems(caption: string): string[] {
  const problems: string[] = [];
  // Line breaks and tabs read as spaces in a caption, so they are not flagged.
  const hidden = [...caption].find((c) => HIDDEN_CHARACTER.test(c) && !'\n\r\t'.includes(c));
  if (hidden)
    problems.push(`caption holds the invisible character ${codePointOf(hidden)}: it trains as text nobody sees`);
  const tokens = clipTokenizer().encode(caption.slice(0, TOKENIZED_CHARS)).length;
  if (tokens > MAX_CAPTION_TOKENS)
    problems.push(
      `caption is ${caption.length > TOKENIZED_CHARS ? `well over ${MAX_CAPTION_TOKENS}` : tokens} CLIP tokens: ` +
        `SD's text encoder reads ${MAX_CAPTION_TOKENS} at most (75 a chunk), the rest is cut`,
    );
  return problems;
}
