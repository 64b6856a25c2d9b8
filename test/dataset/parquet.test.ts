import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { describe, expect, it } from "vitest";
import {
  decodeParquet,
  encodeParquet,
  type ParquetColumn,
  ParquetStreamWriter,
} from "../../src/dataset/parquet.js";

const COLUMNS: ParquetColumn[] = [
  { name: "f32", type: "float32", values: [0.1, -2.5] },
  { name: "f64", type: "float64", values: [0.1, 1e300] },
  { name: "i64", type: "int64", values: [0, Number.MAX_SAFE_INTEGER] },
  { name: "flag", type: "bool", values: [true, false] },
  { name: "text", type: "string", values: ["pick up the cup", "ü"] },
  { name: "vec", type: "float32_vector", size: 3, values: [1, 2, 3, 4, 5, 6] },
  { name: "f64s", type: "float64_list", values: [[1.5], []] },
  { name: "i64s", type: "int64_list", values: [[7], [8, 9]] },
  { name: "strs", type: "string_list", values: [["a", "b"], []] },
];

const toArrayBuffer = (b: Uint8Array): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe("parquet boundary", () => {
  it("round-trips every column type through parquet-wasm", () => {
    expect(decodeParquet(encodeParquet(COLUMNS))).toEqual([
      {
        f32: Math.fround(0.1),
        f64: 0.1,
        i64: 0,
        flag: true,
        text: "pick up the cup",
        vec: [1, 2, 3],
        f64s: [1.5],
        i64s: [7],
        strs: ["a", "b"],
      },
      {
        f32: -2.5,
        f64: 1e300,
        i64: Number.MAX_SAFE_INTEGER,
        flag: false,
        text: "ü",
        vec: [4, 5, 6],
        f64s: [],
        i64s: [8, 9],
        strs: [],
      },
    ]);
  });

  it("writes snappy files with the key-value metadata that hyparquet reads", async () => {
    const bytes = encodeParquet(COLUMNS, new Map([["pandas", "{}"]]));
    const metadata = parquetMetadata(toArrayBuffer(bytes));
    expect(metadata.key_value_metadata?.find((e) => e.key === "pandas")?.value).toBe("{}");
    expect(new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)))).toEqual(
      new Set(["SNAPPY"]),
    );
    const rows = await parquetReadObjects({ file: toArrayBuffer(bytes), compressors });
    expect(rows[1]).toMatchObject({ i64: BigInt(Number.MAX_SAFE_INTEGER), vec: [4, 5, 6], strs: [] });
  });

  it("is deterministic", () => {
    expect(Buffer.from(encodeParquet(COLUMNS)).equals(Buffer.from(encodeParquet(COLUMNS)))).toBe(true);
  });

  it("rejects ragged columns, unsafe integers and vectors that do not divide into rows", () => {
    expect(() => encodeParquet([COLUMNS[0]!, { name: "short", type: "int64", values: [1] }])).toThrow(
      /has 1 rows, expected 2/,
    );
    expect(() => encodeParquet([{ name: "big", type: "int64", values: [2 ** 60] }])).toThrow(
      /not a safe integer/,
    );
    expect(() => encodeParquet([{ name: "v", type: "float32_vector", size: 4, values: [1, 2, 3] }])).toThrow(
      /rows of 4/,
    );
    expect(() => encodeParquet([COLUMNS[0]!, COLUMNS[0]!])).toThrow(/duplicate column/);
    expect(() => decodeParquet(new Uint8Array([1, 2, 3]))).toThrow(/not a readable parquet file/);
  });
});

/** Batch k of a streamed file: `rows` rows of every column kind a data file has. */
const batch = (k: number, rows: number): ParquetColumn[] => [
  { name: "index", type: "int64", values: Array.from({ length: rows }, (_, i) => k * 10000 + i) },
  { name: "t", type: "float32", values: Array.from({ length: rows }, (_, i) => Math.fround(0.1 * i + k)) },
  { name: "done", type: "bool", values: Array.from({ length: rows }, (_, i) => i === rows - 1) },
  {
    name: "state",
    type: "float32_vector",
    size: 2,
    values: Array.from({ length: 2 * rows }, (_, i) => Math.fround(Math.sin(i + k))),
  },
];

/** Streams batches of the given sizes; returns the file and the sink's byte count after each write. */
async function streamed(sizes: readonly number[], rowGroupRows: number) {
  const chunks: Uint8Array[] = [];
  const seen: number[] = [];
  const writer = new ParquetStreamWriter(async (bytes) => void chunks.push(bytes.slice()), { rowGroupRows });
  for (const [k, rows] of sizes.entries()) {
    await writer.write(batch(k, rows));
    // The encoder's output reaches the sink asynchronously: let it run before looking.
    await new Promise((resolve) => setImmediate(resolve));
    seen.push(chunks.reduce((n, c) => n + c.length, 0));
  }
  const closed = await writer.close();
  return { bytes: Buffer.concat(chunks), seen, closed };
}

describe("ParquetStreamWriter", () => {
  it("writes row groups as they fill, and the file reads back as every batch in order", async () => {
    const sizes = [3000, 700, 4500, 100, 6000, 1200];
    const { bytes, seen, closed } = await streamed(sizes, 4000);
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(closed).toEqual({ rows: total, bytes: bytes.length });
    // Row groups reach the sink (in pieces of a few kB) before the file ends, none before the
    // first one is full.
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBeGreaterThan(0);
    expect(bytes.length).toBeGreaterThan(seen.at(-1)!);
    const file = toArrayBuffer(bytes);
    expect(parquetMetadata(file).row_groups.map((g) => Number(g.num_rows))).toEqual([4000, 4000, 4000, 3500]);
    const rows = await parquetReadObjects({ file, compressors });
    const expected = sizes.flatMap((n, k) => {
      const [index, t, done, state] = batch(k, n);
      return Array.from({ length: n }, (_, i) => ({
        index: BigInt(index!.values[i] as number),
        t: t!.values[i],
        done: done!.values[i],
        state: [state!.values[2 * i], state!.values[2 * i + 1]],
      }));
    });
    expect(rows).toEqual(expected);
  });

  it("is deterministic", async () => {
    const a = await streamed([5, 9, 3], 4);
    const b = await streamed([5, 9, 3], 4);
    expect(a.bytes.equals(b.bytes)).toBe(true);
  });

  it("refuses a batch whose columns differ from the file's, and a file without rows", async () => {
    const writer = new ParquetStreamWriter(async () => {}, { rowGroupRows: 10 });
    await writer.write(batch(0, 3));
    await expect(writer.write(batch(1, 3).slice(1))).rejects.toThrow(/differ from the file's/);
    const renamed = batch(1, 3).map((c, i) => (i === 0 ? { ...c, name: "other" } : c));
    await expect(writer.write(renamed)).rejects.toThrow(/differ from the file's/);
    await expect(new ParquetStreamWriter(async () => {}, { rowGroupRows: 10 }).close()).rejects.toThrow(
      /at least one row/,
    );
    expect(() => new ParquetStreamWriter(async () => {}, { rowGroupRows: 0 })).toThrow(/positive integer/);
  });

  it("fails the write when the sink fails", async () => {
    const writer = new ParquetStreamWriter(
      async () => {
        throw new Error("disk full");
      },
      { rowGroupRows: 2 },
    );
    await expect(
      (async () => {
        for (let k = 0; k < 5; k++) await writer.write(batch(k, 3));
        await writer.close();
      })(),
    ).rejects.toThrow(/disk full/);
  });
});
