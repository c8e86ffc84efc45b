/**
 * The base model's class images are drawn for the training buckets as the training images fill them: a bucket
 * trained 3 times as often gets about 3 times as many, every bucket gets one when there are enough to go round,
 * and a prompt's images (which come one after another) spread over the buckets instead of filling one.
 */
import { spreadOverBuckets } from '../../nodes/lora/class-image-buckets';

const counts = (placed: number[], k: number) =>
  Array.from({ length: k }, (_, b) => placed.filter((x) => x === b).length);

test('class images follow the training buckets in proportion, each bucket getting one first', () => {
  expect(counts(spreadOverBuckets(8, [6, 2]), 2)).toEqual([6, 2]);
  expect(counts(spreadOverBuckets(10, [99, 1]), 2)).toEqual([9, 1]); // the small bucket still gets its own
  expect(counts(spreadOverBuckets(6, [3, 1, 2]), 3)).toEqual([3, 1, 2]);
  expect(counts(spreadOverBuckets(1, [2, 2]), 2)).toEqual([1, 0]); // too few to go round: the main bucket's
  expect(spreadOverBuckets(4, [2, 2])).toEqual([0, 1, 0, 1]); // interleaved: prompt 1's two images, one per bucket
  expect(spreadOverBuckets(3, [5])).toEqual([0, 0, 0]);
  expect(spreadOverBuckets(0, [1, 1])).toEqual([]);
});
