/**
 * The emoji corpus of the built-in base model: concepts joined across the @iconify-json emoji sets by
 * codepoint, captions from their names with the style named, rendered with sharp, cached in the data folder.
 * The renderer works for every style (twemoji and openmoji too) for evaluation and style classifiers.
 */
export { STYLES, BASE_STYLES, ALL_STYLES, parseStyle, type StyleId, type StyleInfo } from './styles';
export { conceptText, styledCaption, captionWords } from './captions';
export { listConcepts, chooseHeldOut, DEFAULT_HELD_OUT, type Concept } from './concepts';
export { codepointKey, loadIconSet } from './iconsets';
export { downsampleTiles, renderEmoji, renderEmojis, tilesToPng, type RenderOptions } from './render';
export {
  buildCorpus,
  loadCorpus,
  corpusDir,
  trainingItems,
  type Corpus,
  type CorpusItem,
  type CorpusOptions,
} from './build';
export { defaultDataDir } from './data-dir';
