/**
 * ConvTranspose is the adjoint of Conv with the same weight: dX = Conv(dY, W) with the same attributes, and
 * dW is the Conv weight gradient with the roles of input and output gradient exchanged.
 */
import { dy0, intsAttr, type GradRule } from '../rule';
import { convAttrs, perGroup, weightGrad } from './Conv';

export const ConvTranspose: GradRule = (ctx) => {
  const {
    g,
    node,
    x: [x, w, b],
    needs,
  } = ctx;
  const dy = dy0(ctx);
  const { k, group, strides, dil, pads } = convAttrs(ctx);
  if (intsAttr(node, 'output_shape'))
    throw new Error(`ConvTranspose '${node.name}': give pads and output_padding, not output_shape, to differentiate`);
  const dx = needs[0] ? g.conv(dy, w!, undefined, { strides, pads, dilations: dil, group }) : undefined;
  let dw;
  if (needs[1]) {
    dw = perGroup(g, group, x!, dy, (xg, dyg) => weightGrad(g, dyg, xg, k, strides, dil, pads));
  }
  const db = b && needs[2] ? g.reduceSum(dy, [0, ...k.map((_, i) => i + 2)]) : undefined;
  return [dx, dw, db];
};
