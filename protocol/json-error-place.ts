/**
 * Where a JSON text stops being JSON, as line and column: JSON.parse in Node.js 20 says "Unexpected token" with
 * at most a character position, and a user editing a workflow by hand needs the line. A small scanner that only
 * finds the first offending character; JSON.parse still does the parsing.
 */

class Stop extends Error {
  constructor(readonly at: number) {
    super('stop');
  }
}

function scanner(text: string) {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (ok: boolean) => {
    if (!ok) throw new Stop(i);
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      expect(c >= 0x20);
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          expect(/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5)));
          i += 4;
        } else expect(i < text.length && '"\\/bfnrt'.includes(text[i]!));
      }
      i++;
    }
    expect(i < text.length);
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        expect(text[i] === '"');
        string();
        ws();
        expect(text[i] === ':');
        i++;
        value();
        ws();
        if (text[i] === '}') return void i++;
        expect(text[i] === ',');
        i++;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ']') return void i++;
        expect(text[i] === ',');
        i++;
      }
    }
    if (c === '"') return string();
    const literal = /^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    expect(literal !== null);
    i += literal![0].length;
  };
  return {
    run(): number | undefined {
      try {
        value();
        ws();
        expect(i === text.length);
        return undefined;
      } catch (e) {
        // A RangeError from nesting deeper than the stack: no place to give, JSON.parse's message stays.
        return e instanceof Stop ? e.at : undefined;
      }
    },
  };
}

/** The 1-based line and column of the first character that makes `text` not JSON; undefined when it is JSON. */
export function jsonErrorPlace(text: string): { line: number; column: number } | undefined {
  const at = scanner(text).run();
  if (at === undefined) return undefined;
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
