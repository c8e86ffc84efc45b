/**
 * sd-scripts' `network_args` ("key=value" strings handed to the network module): `conv_dim` / `conv_alpha` are
 * LoCon in `networks.lora`, which TrainLoRA trains on SD 1.5 and SDXL as `convRank` / `convAlpha`. The other
 * keys (block dims and weights, rank / module dropout, LyCORIS' algo, ...) have no TrainLoRA parameter and are
 * reported by name.
 */
import type { ImportBuilder } from './import-builder';
import { coerce } from './mapping-table';

/** network_args key -> TrainLoRA parameter. */
const CONV_ARGS: Record<string, { param: string; kind: 'int' | 'number' }> = {
  conv_dim: { param: 'convRank', kind: 'int' },
  conv_alpha: { param: 'convAlpha', kind: 'number' },
};

/** One `key=value` item; a TOML list holds one each, a command line (and the kohya_ss GUI) may quote the value. */
function parseItem(item: unknown): [string, string] {
  const text = String(item).trim();
  const eq = text.indexOf('=');
  if (eq < 0) return [text, ''];
  return [
    text.slice(0, eq).trim(),
    text
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1'),
  ];
}

/** The items of `network_args`: a list, or one string of space-separated items. */
function itemsOf(netArgs: unknown): unknown[] {
  if (Array.isArray(netArgs)) return netArgs;
  return String(netArgs).split(/\s+(?=[A-Za-z_]+=)/);
}

/** The setting name used in the summary for one network_args key. */
export const networkArgSetting = (key: string): string => `network_args ${key}`;

/** Maps `network_args` onto TrainLoRA; every key without a TrainLoRA parameter is reported. */
export function importNetworkArgs(b: ImportBuilder, netArgs: unknown): void {
  const values = new Map(itemsOf(netArgs).map(parseItem));
  for (const [key, raw] of values) {
    const conv = CONV_ARGS[key];
    if (!conv) {
      b.ignore(networkArgSetting(key), `${key}=${raw}`);
      continue;
    }
    const value = coerce(conv.kind, raw);
    if (value instanceof Error || value === undefined)
      b.ignore(networkArgSetting(key), raw, `not supported, ignored (${value?.message ?? 'no value'})`);
    else b.set(networkArgSetting(key), 'train', conv.param, value, 'LoCon: SD 1.5 and SDXL');
  }
  // networks.lora: conv_alpha defaults to 1 once conv_dim is given, as TrainLoRA's convAlpha does; said so anyway.
  if (values.has('conv_dim') && !values.has('conv_alpha'))
    b.set(networkArgSetting('conv_alpha'), 'train', 'convAlpha', 1, "not set: sd-scripts' default 1");
}
