import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { describe, expect, it } from "vitest";
import { decodeParquet, encodeParquet, type ParquetColumn } from "../../src/dataset/parquet.js";

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
