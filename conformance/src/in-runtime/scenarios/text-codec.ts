/**
 * The text encodings of the lessons' wire (`--encoding utf-8|gbk`). The lessons wrote
 * `"...".encode("gbk")` and `recv(1024).decode("gbk")`, so text scenarios can put gbk bytes
 * on the wire for those programs; UTF-8 stays the default of wire contract v1.
 *
 * Decoding uses the runtime's own `TextDecoder("gbk")` (WHATWG Encoding; Node with full ICU,
 * Bun and Deno all have it), in fatal mode. Encoding cannot: `TextEncoder` is UTF-8 only by
 * the standard, so the bytes come from @exodus/bytes' WHATWG gbk encoder, pure JS, the same
 * tables on every runtime. A character gbk has no bytes for (emoji, "Ł") is the error
 * ENCODING_UNREPRESENTABLE, never a silent "?" as Python's `errors="replace"` would write.
 */
import { createMultibyteEncoder } from "@exodus/bytes/multi-byte.js";
import { NetError, fromUtf8, utf8 } from "@netparity/protocol";
import type { RoleOptions, ScenarioOption } from "./types.js";

export const TEXT_ENCODINGS = ["utf-8", "gbk"] as const;
export type TextEncodingName = (typeof TEXT_ENCODINGS)[number];

export interface TextCodec {
  readonly name: TextEncodingName;
  /** Throws NetError ENCODING_UNREPRESENTABLE for a character the encoding lacks. */
  encode(text: string): Uint8Array;
  /** Throws NetError ENCODING_INVALID for bytes that are not text in the encoding. */
  decode(bytes: Uint8Array): string;
  /** Whether `text` can be encoded. */
  canEncode(text: string): boolean;
}

/** A lone surrogate: the one thing UTF-8 cannot encode (TextEncoder would write U+FFFD). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const UTF8: TextCodec = {
  name: "utf-8",
  encode(text) {
    if (LONE_SURROGATE.test(text))
      throw new NetError("ENCODING_UNREPRESENTABLE", "UTF-8 cannot encode a lone surrogate", { operation: "encode" });
    return utf8(text);
  },
  decode(bytes) {
    try {
      return fromUtf8(bytes);
    } catch (e) {
      throw new NetError("ENCODING_INVALID", "bytes are not valid UTF-8", { cause: e, operation: "decode" });
    }
  },
  canEncode: (text) => !LONE_SURROGATE.test(text),
};

let gbk: TextCodec | undefined;

function gbkCodec(): TextCodec {
  const encoder = createMultibyteEncoder("gbk");
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder("gbk", { fatal: true });
  } catch (e) {
    // A Node built with small-icu has only UTF-8 and UTF-16 decoders
    // (https://nodejs.org/api/util.html#whatwg-supported-encodings); official builds have full ICU.
    throw new NetError("ENOTSUP", "this runtime's TextDecoder has no gbk (a Node without full ICU?)", {
      cause: e,
      operation: "decode",
    });
  }
  const encode = (text: string): Uint8Array => {
    try {
      return encoder(text);
    } catch (e) {
      throw new NetError("ENCODING_UNREPRESENTABLE", `gbk cannot encode ${describeUnencodable(encoder, text)}`, {
        cause: e,
        operation: "encode",
      });
    }
  };
  return {
    name: "gbk",
    encode,
    decode(bytes) {
      try {
        return decoder.decode(bytes);
      } catch (e) {
        throw new NetError("ENCODING_INVALID", "bytes are not valid gbk", { cause: e, operation: "decode" });
      }
    },
    canEncode(text) {
      try {
        encoder(text);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Names the first character the encoder refuses, e.g. `"🌍" (U+1F30D)`. */
function describeUnencodable(encoder: (s: string) => Uint8Array, text: string): string {
  for (const ch of text) {
    try {
      encoder(ch);
    } catch {
      const cp = ch.codePointAt(0) ?? 0;
      return `${JSON.stringify(ch)} (U+${cp.toString(16).toUpperCase().padStart(4, "0")})`;
    }
  }
  return JSON.stringify(text.slice(0, 20));
}

/**
 * The codec named `name` ("utf-8" or "gbk"; "utf8" is accepted for "utf-8").
 * @example textCodec("gbk").encode("张三") // Uint8Array [0xd5, 0xc5, 0xc8, 0xfd]
 */
export function textCodec(name: string = "utf-8"): TextCodec {
  const n = name.toLowerCase();
  if (n === "utf-8" || n === "utf8") return UTF8;
  if (n === "gbk") {
    gbk ??= gbkCodec();
    return gbk;
  }
  throw new NetError("EINVAL", `unknown text encoding ${JSON.stringify(name)} (${TEXT_ENCODINGS.join(" or ")})`);
}

/** The codec a role was asked for with `--encoding` (UTF-8 without it). */
export function codecOf(options: RoleOptions): TextCodec {
  const e = options.extra.encoding;
  return textCodec(typeof e === "string" ? e : "utf-8");
}

/** `--encoding`, shared by greet, hello-udp, time and ipmsg. */
export const ENCODING_OPTION: ScenarioOption = {
  flag: "--encoding <name>",
  key: "encoding",
  type: "string",
  choices: TEXT_ENCODINGS,
  roles: ["server", "client"],
  description:
    "greet, hello-udp, time, ipmsg: text encoding on the wire, utf-8 (default) or gbk as the lessons' Python wrote it; a character gbk lacks is the error ENCODING_UNREPRESENTABLE",
};
