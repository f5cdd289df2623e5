// The media-measurement API other parts of skillgate call (probe checks, package reader, gateway
// jobs). Each concern lives in its own file; this module is the one import they need.
export { agreeWithin, toleranceFor, TOLERANCE_FLOOR_SECONDS, TOLERANCE_FRACTION } from './tolerance.js'
export { GAP_THRESHOLD_SECONDS, measureFile, spanOf } from './measure-file.js'
export type { BinaryEvidence, FileMeasurement, MeasureOptions, StreamKind, StreamMeasurement } from './measure-file.js'
export { diskFetcher, measureHls } from './measure-hls.js'
export type { Fetcher, HlsMeasurement, HlsSegmentMeasurement, MeasureHlsOptions } from './measure-hls.js'
export { allowList, assertCodecs, checkCodecs } from './codec-allow-list.js'
export type { AllowList, CodecProblem, CodecVerdict } from './codec-allow-list.js'
export { resolveFfprobe } from './ffprobe.js'
export type { FfprobeBinary } from './ffprobe.js'
