/** The gradient rule registry: one rule per ONNX op type, each in its own file named after the op. */
import type { GradRule } from '../rule';
import { Abs } from './Abs';
import { AveragePool } from './AveragePool';
import { Add } from './Add';
import { Cast } from './Cast';
import { Clip } from './Clip';
import { Concat } from './Concat';
import { Conv } from './Conv';
import { ConvTranspose } from './ConvTranspose';
import { Cos } from './Cos';
import { Div } from './Div';
import { Erf } from './Erf';
import { Exp } from './Exp';
import { Expand } from './Expand';
import { FusedMatMul } from './FusedMatMul';
import { Gather } from './Gather';
import { Gelu } from './Gelu';
import { Gemm } from './Gemm';
import { GlobalAveragePool } from './GlobalAveragePool';
import { Identity } from './Identity';
import { LayerNormalization } from './LayerNormalization';
import { LeakyRelu } from './LeakyRelu';
import { Log } from './Log';
import { LogSoftmax } from './LogSoftmax';
import { MatMul } from './MatMul';
import { Max, Min } from './Max';
import { Mul } from './Mul';
import { Neg } from './Neg';
import { Pad } from './Pad';
import { Pow } from './Pow';
import { Reciprocal } from './Reciprocal';
import { ReduceMean } from './ReduceMean';
import { ReduceSum } from './ReduceSum';
import { ReduceSumSquare } from './ReduceSumSquare';
import { Relu } from './Relu';
import { Flatten, Reshape, Squeeze, Unsqueeze } from './Reshape';
import { Sigmoid } from './Sigmoid';
import { Sin } from './Sin';
import { Slice } from './Slice';
import { Softmax } from './Softmax';
import { Softplus } from './Softplus';
import { Split } from './Split';
import { Sqrt } from './Sqrt';
import { Sub } from './Sub';
import { Sum } from './Sum';
import { Tanh } from './Tanh';
import { Transpose } from './Transpose';
import { Where } from './Where';

/** Rules keyed by op type. */
export const RULES: Readonly<Record<string, GradRule>> = {
  Abs,
  Add,
  AveragePool,
  Cast,
  Clip,
  Concat,
  Conv,
  ConvTranspose,
  Cos,
  Div,
  Erf,
  Exp,
  Expand,
  Flatten,
  FusedMatMul,
  Gather,
  Gelu,
  Gemm,
  GlobalAveragePool,
  Identity,
  LayerNormalization,
  LeakyRelu,
  Log,
  LogSoftmax,
  MatMul,
  Max,
  Min,
  Mul,
  Neg,
  Pad,
  Pow,
  Reciprocal,
  ReduceMean,
  ReduceSum,
  ReduceSumSquare,
  Relu,
  Reshape,
  Sigmoid,
  Sin,
  Slice,
  Softmax,
  Softplus,
  Split,
  Sqrt,
  Squeeze,
  Sub,
  Sum,
  Tanh,
  Transpose,
  Unsqueeze,
  Where,
};
