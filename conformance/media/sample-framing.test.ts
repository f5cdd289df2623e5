// Framing rules of the spot-check, each with a passing sample and a twin that differs by one
// defect. Real samples are covered end to end in measure-index.test.ts; these pin the edges.
import t from 'tap'
import { adtsProblem, annexBProblem, framingProblem } from './sample-framing.js'

const nal = (header: number, body: number[]): number[] => [0, 0, 0, body.length + 1, header, ...body]
const h264 = { codec: 'h264', fourcc: 'avc1', nalLengthSize: 4 }

t.test('H.264 length-prefixed NAL units must tile the sample with valid types', async (t) => {
  const good = Buffer.from([...nal(0x06, [1, 2]), ...nal(0x65, [9, 9, 9])]) // SEI + IDR slice
  t.equal(framingProblem(h264, good), undefined)
  t.match(framingProblem(h264, Buffer.from([...nal(0x65, [9]), 0, 0])), /trailing byte/, 'bytes left over')
  t.match(framingProblem(h264, Buffer.from([0, 0, 0, 50, 0x65, 1])), /claims 50 bytes/, 'a length past the sample')
  t.match(framingProblem(h264, Buffer.from(nal(0xe5, [1]))), /forbidden_zero_bit/)
  t.match(framingProblem(h264, Buffer.from(nal(0x1f, [1]))), /type 31/)
  t.equal(framingProblem(h264, Buffer.from([0, 0, 0, 50, 0x65, 1]), true), undefined, 'a sample read only in part is judged on what was read')
  t.match(framingProblem(h264, Buffer.from('this is not a video frame. ')), /claims/, 'text is not a NAL unit')
})

t.test('H.265 NAL headers: type ≤ 40 and a non-zero temporal id', async (t) => {
  const hevc = { codec: 'hevc', fourcc: 'hvc1', nalLengthSize: 4 }
  t.equal(framingProblem(hevc, Buffer.from([0, 0, 0, 3, 0x26, 0x01, 0xaf])), undefined, 'IDR_W_RADL')
  t.match(framingProblem(hevc, Buffer.from([0, 0, 0, 3, 0x26, 0x00, 0xaf])), /temporal_id/)
  t.match(framingProblem(hevc, Buffer.from([0, 0, 0, 3, 0x7e, 0x01, 0xaf])), /type 63/)
})

t.test('raw AAC opens with an element its channel layout allows; ADTS and Annex B carry their sync', async (t) => {
  const mono = { codec: 'aac', fourcc: 'mp4a', aac: { objectType: 2, channels: 1 } }
  t.equal(framingProblem(mono, Buffer.from([0x01, 0x40, 0x20])), undefined, 'SCE first')
  t.match(framingProblem(mono, Buffer.from([0x21, 0x40, 0x20])), /element 1/, 'a CPE in a mono stream')
  t.equal(adtsProblem(Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc])), undefined)
  t.match(adtsProblem(Buffer.from([0x47, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc])), /sync word/)
  t.equal(annexBProblem('h264', Buffer.from([0, 0, 0, 1, 0x09, 0xf0])), undefined, 'access unit delimiter')
  t.match(annexBProblem('h264', Buffer.from([1, 2, 3, 4, 5])), /start code/)
})
