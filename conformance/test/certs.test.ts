import { X509Certificate, createPrivateKey } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateCertificates, writeCertificateSets, writeCertificates } from "../src/parent/certs/generate.js";

describe("throwaway certificates", () => {
  it("writes a CA and a server certificate for localhost, 127.0.0.1 and ::1 (ECDSA P-256)", async () => {
    const files = await writeCertificates();
    try {
      const ca = new X509Certificate(readFileSync(files.ca));
      const cert = new X509Certificate(readFileSync(files.cert));
      expect(ca.ca).toBe(true);
      expect(cert.ca).toBe(false);
      expect(cert.checkIssued(ca)).toBe(true);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(cert.issuer).toBe(ca.subject);
      expect(cert.subjectAltName?.split(", ")).toEqual([
        "DNS:localhost",
        "IP Address:127.0.0.1",
        "IP Address:0:0:0:0:0:0:0:1",
      ]);
      expect(cert.checkHost("localhost")).toBe("localhost");
      expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
      expect(cert.checkIP("::1")).toBe("::1");
      const now = Date.now();
      expect(Date.parse(cert.validFrom)).toBeLessThan(now);
      expect(Date.parse(cert.validTo)).toBeGreaterThan(now);
      expect(cert.publicKey.asymmetricKeyType).toBe("ec");
      expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
      const key = createPrivateKey(readFileSync(files.key));
      expect(cert.checkPrivateKey(key)).toBe(true);
      expect(statSync(files.key).mode & 0o077).toBe(0);
    } finally {
      await files.remove();
    }
    expect(existsSync(files.dir)).toBe(false);
  });

  it("makes RSA-2048 on request", async () => {
    const pem = await generateCertificates({ keyType: "rsa" });
    const cert = new X509Certificate(pem.cert);
    expect(cert.publicKey.asymmetricKeyType).toBe("rsa");
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.checkPrivateKey(createPrivateKey(pem.key))).toBe(true);
    expect(cert.verify(new X509Certificate(pem.ca).publicKey)).toBe(true);
  });

  it("makes an expired certificate and one for another name", async () => {
    const expired = new X509Certificate((await generateCertificates({ expired: true })).cert);
    expect(Date.parse(expired.validTo)).toBeLessThan(Date.now());
    const other = new X509Certificate((await generateCertificates({ names: ["other.example"] })).cert);
    expect(other.subjectAltName).toBe("DNS:other.example");
    expect(other.checkHost("localhost")).toBeUndefined();
    expect(other.checkIP("127.0.0.1")).toBeUndefined();
  });

  it("makes a fresh CA each time", async () => {
    const [a, b] = await Promise.all([generateCertificates(), generateCertificates()]);
    expect(new X509Certificate(a.cert).verify(new X509Certificate(b.ca).publicKey)).toBe(false);
  });

  it("writes several independent sets into one directory and removes it", async () => {
    const out = await writeCertificateSets({ good: {}, old: { expired: true }, other: { names: ["other.example"] } });
    try {
      const load = (f: string) => new X509Certificate(readFileSync(f));
      const good = out.sets.good;
      expect(load(good.cert).checkIssued(load(good.ca))).toBe(true);
      expect(load(out.sets.old.cert).checkIssued(load(good.ca))).toBe(false);
      expect(Date.parse(load(out.sets.old.cert).validTo)).toBeLessThan(Date.now());
      expect(load(out.sets.other.cert).subjectAltName).toBe("DNS:other.example");
      expect(statSync(out.sets.other.key).mode & 0o077).toBe(0);
    } finally {
      await out.remove();
    }
    expect(existsSync(out.dir)).toBe(false);
  });
});
