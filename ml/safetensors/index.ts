// safetensors: read (lazily, tensor by tensor) and write (atomically) the format used for weights and checkpoints.
export {
  SafetensorsError,
  MAX_HEADER_BYTES,
  DTYPE_SIZES,
  parseHeader,
  checkHeaderLength,
  type StDtype,
  type TensorInfo,
  type ParsedHeader,
} from './header';
export { SafetensorsFile, readSafetensors, type LoadedTensor } from './reader';
export {
  writeSafetensors,
  writeSafetensorsStreaming,
  encodeSafetensors,
  type TensorToWrite,
  type LazyTensorToWrite,
} from './writer';
export {
  f32ToF16Bits,
  f16BitsToF32,
  f32ToBf16Bits,
  bf16BitsToF32,
  encodeF16,
  encodeBf16,
  decodeF16,
  decodeBf16,
} from './f16';
