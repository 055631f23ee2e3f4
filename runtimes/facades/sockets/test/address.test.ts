/** The draft's AnySocketAddress: both forms, IPv6 in brackets, and every malformed one a SocketError. */
import { describe, expect, it } from "vitest";
import { formatAddress, parseAddress } from "../src/address.js";
import { SocketError } from "../src/errors.js";

describe("parseAddress", () => {
  it.each([
    ["example.com:443", "example.com", 443],
    ["127.0.0.1:7", "127.0.0.1", 7],
    ["[::1]:8080", "::1", 8080],
    ["[fe80::1%eth0]:65535", "fe80::1%eth0", 65535],
  ])("%s", (input, hostname, port) => {
    expect(parseAddress(input)).toEqual({ hostname, port });
  });

  it("takes a dictionary, with or without brackets around an IPv6 literal", () => {
    expect(parseAddress({ hostname: "localhost", port: 80 })).toEqual({ hostname: "localhost", port: 80 });
    expect(parseAddress({ hostname: "[::1]", port: 80 })).toEqual({ hostname: "::1", port: 80 });
    expect(parseAddress({ hostname: "::1", port: 80 })).toEqual({ hostname: "::1", port: 80 });
  });

  it.each<[string, unknown]>([
    ["no port", "example.com"],
    ["empty port", "example.com:"],
    ["port not a number", "example.com:http"],
    ["port 0", "example.com:0"],
    ["port above 65535", "example.com:65536"],
    ["empty hostname", ":80"],
    ["an IPv6 literal without brackets", "::1:80"],
    ["brackets without a port", "[::1]"],
    ["a path in the hostname", "example.com/x:80"],
    ["a dictionary without port", { hostname: "example.com" }],
    ["a fractional port", { hostname: "example.com", port: 80.5 }],
    ["a hostname that is not a string", { hostname: 1, port: 80 }],
    ["null", null],
    ["a number", 80],
  ])("%s is a SocketError", (_, input) => {
    let error: unknown;
    try {
      parseAddress(input as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SocketError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^SocketError: malformed address/);
  });
});

describe("formatAddress", () => {
  it("writes host:port, an IPv6 literal in brackets", () => {
    expect(formatAddress({ transport: "tcp", hostname: "127.0.0.1", port: 5 })).toBe("127.0.0.1:5");
    expect(formatAddress({ transport: "tcp", hostname: "::1", port: 5 })).toBe("[::1]:5");
  });
});
