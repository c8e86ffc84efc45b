/**
 * Several aspect-ratio buckets in one SD training run, kohya's way: each batch comes from one bucket. A step graph
 * has fixed shapes, so each bucket trains in a session of its own, and the worker holds one bucket's session at a
 * time (each holds the frozen UNet: 3.2 GB at full size). To rebuild rarely, a bucket's batches of an epoch run back
 * to back (kohya shuffles batches across buckets instead), and the order snakes, forward one epoch and backward the
 * next, so that the bucket ending an epoch also starts the next one: n buckets cost n - 1 rebuilds per epoch. The
 * schedule is a function of the step alone, so a resumed run continues it where it stopped.
 */
import type { SdTrainJob } from './train-job';

/** One bucket of a job: its size and the (repeated) training, validation and class images in it. */
export interface JobBucket {
  readonly width: number;
  readonly height: number;
  readonly train: readonly number[];
  readonly validation: readonly number[];
  /** Class images (prior preservation) trained beside this bucket's images. */
  readonly reg: readonly number[];
}

/** A run of steps [start, end) trained on one bucket. */
export interface BucketSegment {
  readonly bucket: number;
  readonly start: number;
  readonly end: number;
}

/** The job's buckets (one, job.width x job.height, when the job names none) with their images. */
export function jobBuckets(job: SdTrainJob): JobBucket[] {
  const shapes = job.buckets ?? [{ width: job.width, height: job.height }];
  const of = (i: number): number => job.bucketOf?.[i] ?? 0;
  return shapes.map((s, b) => ({
    width: s.width,
    height: s.height,
    train: job.trainIndices.filter((i) => of(i) === b),
    validation: job.validationIndices.filter((i) => of(i) === b),
    reg: (job.regIndices ?? []).filter((i) => of(i) === b),
  }));
}

/** The segment holding 0-based step `step`, given each bucket's training-image count and the batch size. */
export function segmentAt(trainCounts: readonly number[], batch: number, step: number): BucketSegment {
  const epoch = trainCounts.map((n, bucket) => ({ bucket, steps: Math.ceil(n / batch) })).filter((s) => s.steps > 0);
  if (epoch.length === 0) throw new Error('no bucket has training images');
  const period = [...epoch, ...[...epoch].reverse()];
  const length = period.reduce((n, s) => n + s.steps, 0);
  let at = step - (step % length);
  for (const s of period) {
    if (step < at + s.steps) return { bucket: s.bucket, start: at, end: at + s.steps };
    at += s.steps;
  }
  throw new Error(`step ${step} is outside the bucket schedule`); // unreachable: the period covers `length` steps
}
