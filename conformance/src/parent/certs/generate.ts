/**
 * Throwaway certificates for TLS runs and tests: a CA and a server certificate it signs,
 * made with @peculiar/x509 over Node's WebCrypto and written as PEM files to a fresh temp
 * directory. Nothing here is meant to be trusted beyond one run; nothing is ever committed.
 */
import { webcrypto } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as X509 from "@peculiar/x509";

// @peculiar/x509 is typed against the DOM's WebCrypto, which this Node program does not load.
type X509Crypto = Parameters<typeof X509.cryptoProvider.set>[0];
type X509Key = Parameters<typeof X509.SubjectKeyIdentifierExtension.create>[0];

let loaded: Promise<typeof X509> | undefined;

/**
 * @peculiar/x509 (with asn1js, tsyringe and reflect-metadata, a fifth of the CLI bundle),
 * loaded by the first certificate made rather than by every start of the CLI.
 */
function x509Library(): Promise<typeof X509> {
  loaded ??= (async () => {
    // @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
    await import("reflect-metadata");
    const ns: typeof X509 & { default?: typeof X509 } = await import("@peculiar/x509");
    // A CommonJS package: its named exports where the loader detects them (Node, vitest), and
    // only its module.exports as the default where the CLI's bundle puts it in a chunk of its own.
    const x509 = ns.cryptoProvider ? ns : ns.default!;
    x509.cryptoProvider.set(webcrypto as unknown as X509Crypto);
    return x509;
  })();
  return loaded;
}

export type KeyType = "ecdsa" | "rsa";

/** The names the generated server certificate is valid for by default. */
export const DEFAULT_NAMES: readonly string[] = ["localhost", "127.0.0.1", "::1"];

export interface CertificateOptions {
  /** ECDSA P-256 (default) or RSA-2048. */
  keyType?: KeyType;
  /** DNS names and IP literals of the server certificate (default DEFAULT_NAMES). */
  names?: readonly string[];
  /** Make the server certificate one that expired yesterday (the CA stays valid). */
  expired?: boolean;
  /** Directory prefix under the system temp directory. */
  prefix?: string;
}

export interface CertificateFiles {
  readonly dir: string;
  /** PEM paths: the CA certificate, the server certificate (leaf only) and its PKCS#8 key. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Removes the directory and everything in it. */
  remove(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function algorithm(keyType: KeyType): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  return keyType === "rsa"
    ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 }
    : ({ name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as webcrypto.EcKeyGenParams);
}

function isIpLiteral(name: string): boolean {
  return name.includes(":") || /^\d{1,3}(\.\d{1,3}){3}$/.test(name);
}

function serial(): string {
  // Positive (top bit clear) and 16 bytes, as RFC 5280 asks.
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] ?? 0) & 0x7f;
  return Buffer.from(b).toString("hex");
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n");
  return `-----BEGIN PRIVATE KEY-----\n${b64.trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

/** Generates a CA and a server certificate signed by it, in PEM, without touching the disk. */
export async function generateCertificates(
  options: CertificateOptions = {},
): Promise<{ ca: string; cert: string; key: string }> {
  const x509 = await x509Library();
  const alg = algorithm(options.keyType ?? "ecdsa");
  const now = Date.now();
  const caKeys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "CN=netparity throwaway CA",
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 7 * DAY_MS),
    signingAlgorithm: alg,
    keys: caKeys as unknown as { publicKey: X509Key; privateKey: X509Key },
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey as unknown as X509Key),
    ],
  });
  const names = options.names ?? DEFAULT_NAMES;
  const first = names.find((n) => !isIpLiteral(n)) ?? names[0] ?? "localhost";
  const leafKeys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${first}`,
    issuer: ca.subject,
    notBefore: new Date(options.expired ? now - 3 * DAY_MS : now - DAY_MS),
    notAfter: new Date(options.expired ? now - DAY_MS : now + 7 * DAY_MS),
    signingAlgorithm: alg,
    publicKey: leafKeys.publicKey as unknown as X509Key,
    signingKey: caKeys.privateKey as unknown as X509Key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature |
          (options.keyType === "rsa" ? x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.keyAgreement),
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((n) => (isIpLiteral(n) ? { type: "ip" as const, value: n } : { type: "dns" as const, value: n })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
      await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey as unknown as X509Key),
    ],
  });
  return { ca: ca.toString("pem"), cert: leaf.toString("pem"), key: await keyPem(leafKeys.privateKey) };
}

/** Generates certificates (see generateCertificates) into a fresh temp directory as ca.pem, cert.pem, key.pem. */
export async function writeCertificates(options: CertificateOptions = {}): Promise<CertificateFiles> {
  const pem = await generateCertificates(options);
  const dir = await mkdtemp(join(tmpdir(), options.prefix ?? "netparity-tls-"));
  const files = { ca: join(dir, "ca.pem"), cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
  await writeFile(files.ca, pem.ca);
  await writeFile(files.cert, pem.cert);
  await writeFile(files.key, pem.key, { mode: 0o600 });
  return { dir, ...files, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** PEM paths of one set written by writeCertificateSets. */
export interface CertificateSetFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * Several independent sets (each with its own CA) in one fresh temp directory, as
 * `<name>-ca.pem`, `<name>-cert.pem`, `<name>-key.pem`: for runs that need a good, an
 * expired and a wrongly named certificate side by side.
 */
export async function writeCertificateSets<K extends string>(
  sets: Record<K, CertificateOptions>,
  prefix = "netparity-tls-",
): Promise<{ dir: string; sets: Record<K, CertificateSetFiles>; remove(): Promise<void> }> {
  const names = Object.keys(sets) as K[];
  const pems = await Promise.all(names.map((n) => generateCertificates(sets[n])));
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const out = {} as Record<K, CertificateSetFiles>;
    for (const [i, name] of names.entries()) {
      const pem = pems[i] as { ca: string; cert: string; key: string };
      const files = {
        ca: join(dir, `${name}-ca.pem`),
        cert: join(dir, `${name}-cert.pem`),
        key: join(dir, `${name}-key.pem`),
      };
      await writeFile(files.ca, pem.ca);
      await writeFile(files.cert, pem.cert);
      await writeFile(files.key, pem.key, { mode: 0o600 });
      out[name] = files;
    }
    return { dir, sets: out, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}
