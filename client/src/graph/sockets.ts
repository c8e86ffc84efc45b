/** Colours of socket types: fixed for the built-in types, derived from the name for others. */
const FIXED: Record<string, string> = {
  DATASET: '#f2a33a',
  MODEL: '#b388ff',
  LORA: '#ff6f91',
  IMAGES: '#4fc3f7',
  REPORT: '#9ccc65',
  FILE: '#bdbdbd',
  FILES: '#90a4ae',
  STRING: '#81c784',
  NUMBER: '#4db6ac',
  '*': '#eeeeee',
};

/** The colour of a socket type (stable for unknown types). */
export function socketColor(type: string): string {
  const fixed = FIXED[type];
  if (fixed) return fixed;
  let h = 0;
  for (const ch of type) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h} 65% 60%)`;
}
