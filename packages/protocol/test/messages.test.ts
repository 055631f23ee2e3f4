import { describe, expect, it } from "vitest";
import {
  encodeTransferHeader,
  encodeTransferReply,
  parseTransferHeader,
  parseTransferReply,
  safeBaseName,
  utf8,
  SAFE_NAME_MAX,
  TRANSFER_HEADER_MAX,
} from "../src/index.js";

const H = "ab".repeat(32);

describe("transfer header", () => {
  it("round-trips and ignores unknown fields", () => {
    const h = { name: "f.bin", size: 12, sha256: H };
    expect(parseTransferHeader(encodeTransferHeader(h))).toEqual({ ok: true, value: h });
    expect(parseTransferHeader(utf8(JSON.stringify({ ...h, extra: 1 })))).toEqual({ ok: true, value: h });
  });

  it.each([
    ["not JSON", "nope", /not JSON/],
    ["an array", "[]", /not a JSON object/],
    ["null", "null", /not a JSON object/],
    ["missing fields", '{"name":"x"}', /lacks "size", "sha256"/],
    ["negative size", JSON.stringify({ name: "x", size: -1, sha256: H }), /non-negative integer/],
    ["fractional size", JSON.stringify({ name: "x", size: 0.5, sha256: H }), /non-negative integer/],
    ["size as text", JSON.stringify({ name: "x", size: "1", sha256: H }), /non-negative integer/],
    ["unsafe integer", `{"name":"x","size":9007199254740993,"sha256":"${H}"}`, /non-negative integer/],
    ["numeric name", JSON.stringify({ name: 1, size: 1, sha256: H }), /"name" must be a string/],
    ["uppercase hash", JSON.stringify({ name: "x", size: 1, sha256: H.toUpperCase() }), /lowercase hex/],
    ["short hash", JSON.stringify({ name: "x", size: 1, sha256: "ab" }), /lowercase hex/],
  ])("refuses %s", (_what, text, error) => {
    const r = parseTransferHeader(utf8(text));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });

  it("refuses invalid UTF-8 and oversized headers", () => {
    expect(parseTransferHeader(new Uint8Array([0x7b, 0xff, 0x7d]))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/UTF-8/),
    });
    expect(parseTransferHeader(new Uint8Array(TRANSFER_HEADER_MAX + 1))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/more than/),
    });
  });
});

describe("transfer reply", () => {
  it("round-trips, and a reply with ok false needs an error", () => {
    const r = { ok: false, name: "f", size: 3, sha256: H, error: "sha256 mismatch" };
    expect(parseTransferReply(encodeTransferReply(r))).toEqual({ ok: true, value: r });
    expect(parseTransferReply(utf8(JSON.stringify({ ok: false, name: "f", size: 3, sha256: H })))).toMatchObject({
      ok: false,
    });
    expect(parseTransferReply(utf8(JSON.stringify({ ok: "yes", name: "f", size: 3, sha256: H })))).toMatchObject({
      ok: false,
    });
  });
});

describe("safeBaseName", () => {
  it.each([
    ["plain.bin", "plain.bin"],
    ["../../etc/passwd", "passwd"],
    ["/abs/path/file", "file"],
    ["C:\\Windows\\evil.dll", "evil.dll"],
    ["  spaced.txt  ", "spaced.txt"],
    ["tab\tnew\nline\u007f\u0085.txt", "tabnewline.txt"],
    ["Zeit ✓ 時.txt", "Zeit ✓ 時.txt"],
    [".hidden", ".hidden"],
    ["...", "..."],
  ])("%j -> %j", (name, want) => expect(safeBaseName(name)).toBe(want));

  it.each(["", ".", "..", "/", "a/", "a/..", "x\\.", "\u0000", " \u0001 "])("%j has nothing usable", (name) =>
    expect(safeBaseName(name)).toBeNull(),
  );

  it("cuts long names without splitting a surrogate pair", () => {
    const name = `${"a".repeat(SAFE_NAME_MAX - 1)}😀😀`;
    const s = safeBaseName(name)!;
    expect(s.length).toBe(SAFE_NAME_MAX - 1);
    expect(safeBaseName("b".repeat(500))!.length).toBe(SAFE_NAME_MAX);
  });
});
