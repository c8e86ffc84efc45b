/**
 * @swc/jest, plus one line per module: `const Math = globalThis.Math, Number = globalThis.Number;`.
 *
 * Jest runs each test file in a vm context, where every read of a global (`Math` in `Math.imul(...)`) goes through
 * the context's property interceptor: 20-40x slower than in plain Node. Our numeric loops (the PRNG, samplers, image
 * code) read `Math` millions of times, so a noise draw that takes 0.2 s under Node took 48 s under jest. A module-level
 * binding is read as a local. The line goes after the "use strict" directive, on the first line, so line numbers in
 * stack traces stay true.
 */
const crypto = require('node:crypto');
const { createTransformer: createSwc } = require('@swc/jest');

const PRELUDE = 'const Math = globalThis.Math, Number = globalThis.Number;';

/** `code` with the prelude after its directive (if any) on line 1. */
function withPrelude(code) {
  const directive = /^(\s*(['"])use strict\2;?)/.exec(code);
  return directive ? `${directive[1]}${PRELUDE}${code.slice(directive[1].length)}` : `${PRELUDE}${code}`;
}

module.exports = {
  createTransformer(options) {
    const swc = createSwc(options);
    return {
      ...swc,
      process(src, filename, jestOptions) {
        const out = swc.process(src, filename, jestOptions);
        return { ...out, code: withPrelude(out.code) };
      },
      processAsync: undefined,
      getCacheKey(...args) {
        return crypto
          .createHash('sha1')
          .update(swc.getCacheKey(...args))
          .update(PRELUDE)
          .digest('hex');
      },
    };
  },
};
