import { defineNode, NodeUserError, type Inputs } from '../api';

const SLOTS = ['a', 'b', 'c', 'd'] as const;

function show(v: Inputs[string]): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Fills `{name}` placeholders of a template from the inputs; `{{` and `}}` write literal braces. */
export function fillTemplate(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    const value = values[name!];
    if (value === undefined) {
      throw new NodeUserError(
        `placeholder {${name}} has no value`,
        `Connect input "${name}" or remove {${name}} from the template.`,
        'template',
      );
    }
    return value;
  });
}

/** Builds text from a template such as "a photo of {a}, {b}" and up to four inputs. */
export const textTemplateNode = defineNode<{ template: string }>({
  schema: {
    type: 'TextTemplate',
    version: 1,
    category: 'primitives',
    title: 'Text template',
    description: 'Builds text from a template: {a}, {b}, {c} and {d} are replaced by the inputs of those names.',
    inputs: SLOTS.map((name) => ({ name, type: '*', optional: true })),
    outputs: [{ name: 'text', type: 'STRING' }],
    params: [
      {
        name: 'template',
        kind: 'text',
        default: '{a}',
        tooltip: 'Use {a}..{d} for the inputs, {{ and }} for literal braces.',
      },
    ],
    resource: 'cpu',
    cacheable: true,
  },
  execute: async (inputs, params) => {
    const values: Record<string, string | undefined> = {};
    for (const name of SLOTS)
      if (inputs[name] !== undefined && inputs[name] !== null) values[name] = show(inputs[name]);
    return { text: fillTemplate(params.template, values) };
  },
});
