/**
 * Makes dim 0 of an ONNX graph's inputs and outputs symbolic ("batch"), so a model exported with a
 * fixed batch of 1 accepts N crops in one run. The MediaPipe hand models (and the converted palm
 * detectors) only fix the batch in their declared graph inputs/outputs; their internal reshapes use
 * -1, so nothing else needs to change (models/perception/README.md: measured with both model pairs). Declared
 * intermediate shapes (`value_info`) are dropped so they cannot contradict the new batch size;
 * onnxruntime infers them again.
 *
 * A minimal protobuf rewrite of ModelProto → GraphProto → ValueInfoProto → TypeProto.Tensor →
 * TensorShapeProto.Dimension (field numbers from onnx/onnx.proto); every other byte is copied.
 */

interface Field {
  num: number;
  wire: number;
  /** The whole field, tag included. */
  raw: Uint8Array;
  /** Payload of a length-delimited field. */
  body?: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let mul = 1;
  for (;;) {
    if (pos >= buf.length) throw new RangeError("truncated protobuf varint");
    const b = buf[pos++]!;
    value += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [value, pos];
    mul *= 128;
  }
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function parseFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [tag, p1] = readVarint(buf, pos);
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    pos = p1;
    let body: Uint8Array | undefined;
    if (wire === 0) pos = readVarint(buf, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      body = buf.subarray(p2, p2 + len);
      pos = p2 + len;
    } else throw new RangeError(`unsupported protobuf wire type ${wire}`);
    if (pos > buf.length) throw new RangeError("truncated protobuf message");
    fields.push({ num, wire, raw: buf.subarray(start, pos), ...(body ? { body } : {}) });
  }
  return fields;
}

const lengthDelimited = (num: number, body: Uint8Array): Uint8Array =>
  concat([Uint8Array.from([...varint(num * 8 + 2), ...varint(body.length)]), body]);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Rewrites the length-delimited fields `num` of `msg` with `f`; other fields are copied as they are. */
function mapField(msg: Uint8Array, num: number, f: (body: Uint8Array) => Uint8Array | null): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const field of parseFields(msg)) {
    if (field.num === num && field.wire === 2) {
      const body = f(field.body!);
      if (body !== null) parts.push(lengthDelimited(num, body));
    } else parts.push(field.raw);
  }
  return concat(parts);
}

const BATCH_PARAM = new TextEncoder().encode("batch");

/** Dimension {dim_value: 1} → {dim_param: "batch"} for the first dim of a TensorShapeProto. */
function symbolicFirstDim(shape: Uint8Array): Uint8Array {
  let first = true;
  return mapField(shape, 1, (dim) => {
    if (!first) return dim;
    first = false;
    return lengthDelimited(2, BATCH_PARAM);
  });
}

const decoder = new TextDecoder();

/** The string field `num` of a message (e.g. ValueInfoProto.name = 1, TensorProto.name = 8). */
const stringField = (msg: Uint8Array, num: number): string | undefined => {
  const f = parseFields(msg).find((x) => x.num === num && x.wire === 2);
  return f ? decoder.decode(f.body!) : undefined;
};

function rewriteValueInfo(valueInfo: Uint8Array, skip: ReadonlySet<string>): Uint8Array {
  // Old exporters (IR < 4) also list the weights among the graph inputs: those keep their shapes.
  if (skip.has(stringField(valueInfo, 1) ?? "")) return valueInfo;
  return mapField(valueInfo, 2, (type) =>
    mapField(type, 1, (tensor) => mapField(tensor, 2, symbolicFirstDim)),
  );
}

/** The model with dim 0 of every graph input (weights excepted) and output made symbolic. */
export function withSymbolicBatch(model: Uint8Array): Uint8Array {
  return mapField(model, 7, (graph) => {
    const weights = new Set(
      parseFields(graph)
        .filter((f) => f.num === 5 && f.wire === 2)
        .map((f) => stringField(f.body!, 8) ?? ""),
    );
    let g = mapField(graph, 11, (vi) => rewriteValueInfo(vi, weights));
    g = mapField(g, 12, (vi) => rewriteValueInfo(vi, weights));
    return mapField(g, 13, () => null);
  });
}
