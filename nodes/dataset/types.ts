/**
 * The values the dataset nodes exchange: DATASET (images plus captions, pixels in the artifact store) and
 * REPORT (what DatasetReport shows the user). Plain JSON so outputs can be cached and sent to the editor.
 * TrainLoRA consumes DATASET; the editor renders REPORT.
 */
import type { ArtifactRef } from '../../protocol/values';
import type { AdviceFamily } from './advice/training-basis';

/** Where an item's caption came from, so the editor can show which ones a person wrote. */
export type CaptionSource = 'file' | 'auto' | 'template' | 'edit' | 'none';

/** A training bucket (kohya aspect-ratio bucket, or the square target of crop/pad). */
export type Bucket = { width: number; height: number };

export type DatasetItem = {
  /** Stable id: the path relative to the loaded folder ("10_xyz/img01.png"), or "uploads/<name>". */
  id: string;
  /** Absolute path of the file the image was loaded from. */
  source: string;
  /** Size of `image` in pixels. */
  width: number;
  height: number;
  /** Size of the original file's image (after EXIF rotation), kept through Resize for the quality checks. */
  sourceWidth?: number;
  sourceHeight?: number;
  caption: string;
  captionSource: CaptionSource;
  /** sha256 (hex) of the source file's bytes. */
  hash: string;
  /** How many times the item repeats per epoch (kohya `<repeats>_<name>` folders); 1 otherwise. */
  repeats: number;
  /** The pixels: an 8-bit sRGB RGB PNG in the artifact store. */
  image: ArtifactRef;
  /** Set by Resize: the bucket the image was fitted to. */
  bucket?: Bucket;
};

/** Something wrong with one file (or the dataset as a whole), shown to the user. */
export type DatasetWarning = {
  /** The file concerned, relative to the dataset folder, when the warning is about one file. */
  file?: string;
  /** A short machine-readable kind: 'corrupt', 'truncated', 'zero-byte', 'not-image', 'caption-encoding', ... */
  code?: string;
  message: string;
};

export type Dataset = {
  items: DatasetItem[];
  warnings: DatasetWarning[];
  /** The dataset's name (the folder name), used by SaveDataset and shown in the editor. */
  name?: string;
  /** The trigger word, once known (from a kohya folder name or the Caption node). */
  trigger?: string;
  /** Set by Resize: the target resolution the images were fitted to. */
  resolution?: number;
};

export type LoraType = 'style' | 'character' | 'object' | 'likeness';

/** One row of the report's table: one image. */
export type ReportRow = {
  id: string;
  width: number;
  height: number;
  /** Size of the original file, where it differs from the prepared image. */
  sourceWidth: number;
  sourceHeight: number;
  /** width / height. */
  aspect: number;
  bucket?: Bucket;
  /** Variance of the Laplacian of the luminance (0-255 scale) at a fixed analysis size: higher is sharper. */
  sharpness: number;
  /** Mean luminance 0..1. */
  meanLuminance: number;
  /** Fractions of pixels at near-black (< 5/255) and near-white (> 250/255) luminance. */
  clippedDark: number;
  clippedBright: number;
  /** Perceptual hash (64-bit dHash, hex). */
  phash: string;
  /** Ids of images within the duplicate Hamming distance of this one. */
  duplicates: string[];
  caption: string;
  captionSource: CaptionSource;
  captionWords: number;
  /** Whether the trigger word appears in the caption; null when no trigger word is set. */
  triggerPresent: boolean | null;
  /** The seed's quality checklist items this image fails, each with its reason. Empty when it passes. */
  problems: string[];
  thumbnail: ArtifactRef;
};

export type Verdict = 'too-few' | 'below-recommended' | 'good' | 'more-than-needed';

export type ReportAdvice = {
  loraType: LoraType;
  /** Images counted with their repeats. */
  imageCount: number;
  minimum: number;
  recommended: [number, number];
  countVerdict: Verdict;
  countMessage: string;
  /** Suggested total steps (about 100 per image, within the seed's table for this size). */
  steps: number;
  stepsRange: [number, number];
  stepsMessage: string;
  rank: number;
  rankRange: [number, number];
  rankMessage: string;
  learningRate: number;
  /** The model the steps, rank and learning rate are for (advice/training-basis.ts). */
  family: AdviceFamily;
  /** Which model the figures are for and where they come from. */
  basisMessage: string;
};

export type DatasetReport = {
  name?: string;
  trigger?: string;
  imageCount: number;
  /** Resolution the quality check measured against. */
  minResolution: number;
  grid: ArtifactRef;
  rows: ReportRow[];
  advice: ReportAdvice;
  /** Images failing the quality checklist (also in rows[].problems), for a quick list. */
  failing: { id: string; reasons: string[] }[];
  /** Warnings carried from the dataset (skipped files, caption problems) and found by the report. */
  warnings: DatasetWarning[];
  /** One-line summaries, most important first. */
  summary: string[];
};
