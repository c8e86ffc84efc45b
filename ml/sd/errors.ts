/** The errors of the SD checkpoint loader: each names the file and says what was found, with a hint. */

/** A checkpoint that cannot be used: the message names the file and says what was found. */
export class SdCheckpointError extends Error {
  constructor(
    readonly file: string,
    detail: string,
    readonly hint?: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'SdCheckpointError';
  }
}

/** Why a pickle checkpoint is refused, and how to convert it. */
export function pickleError(path: string): SdCheckpointError {
  return new SdCheckpointError(
    path,
    'is a PyTorch pickle file; loraflow does not load pickles because unpickling can run arbitrary code',
    'download the .safetensors version of the model, or convert this file once in a Python environment you trust: ' +
      'torch.load(path, map_location="cpu", weights_only=True), then safetensors.torch.save_file(state_dict, "model.safetensors")',
  );
}
