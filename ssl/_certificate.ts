// Certificates as CPython shows them: getpeercert()'s dictionary, and PEM <-> DER.
import { ValueError } from "../_core/errors.ts";
import { pyTypeName } from "../_core/args.ts";

/** A distinguished name as CPython's nested tuples: `[[["commonName", "localhost"]], ...]`. */
export type DistinguishedName = [string, string][][];

/** `getpeercert()`'s dictionary, in CPython's shape. */
export interface PeerCertificate {
  /** Who the certificate is for. */
  subject: DistinguishedName;
  /** Who signed it. */
  issuer: DistinguishedName;
  /** The X.509 version (3). */
  version: number;
  /** The serial number, in upper-case hex. */
  serialNumber: string;
  /** Start of validity, as OpenSSL prints it (`"Jan  1 00:00:00 2025 GMT"`). */
  notBefore: string;
  /** End of validity, in the same form. */
  notAfter: string;
  /** The alternative names: `[["DNS", "localhost"], ["IP Address", "127.0.0.1"]]`. */
  subjectAltName?: [string, string][];
}

/** What node:tls (and Deno's internal accessor) give for a peer certificate. */
export interface NodeCertificate {
  subject?: Record<string, string | string[]>;
  issuer?: Record<string, string | string[]>;
  subjectaltname?: string;
  valid_from?: string;
  valid_to?: string;
  serialNumber?: string;
  raw?: Uint8Array;
}

const LONG_NAMES: Record<string, string> = {
  CN: "commonName",
  O: "organizationName",
  OU: "organizationalUnitName",
  C: "countryName",
  ST: "stateOrProvinceName",
  L: "localityName",
  emailAddress: "emailAddress",
  DC: "domainComponent",
  serialNumber: "serialNumber",
};

function distinguishedName(
  fields: Record<string, string | string[]> | undefined,
): DistinguishedName {
  const out: DistinguishedName = [];
  for (const [key, value] of Object.entries(fields ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) {
      out.push([[LONG_NAMES[key] ?? key, one]]);
    }
  }
  return out;
}

/** Converts node's certificate object to CPython's `getpeercert()` dictionary. */
export function toPeerCertificate(cert: NodeCertificate): PeerCertificate {
  const result: PeerCertificate = {
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    version: 3,
    serialNumber: serialHex(cert.serialNumber ?? ""),
    notBefore: cert.valid_from ?? "",
    notAfter: cert.valid_to ?? "",
  };
  if (cert.subjectaltname) {
    result.subjectAltName = cert.subjectaltname.split(", ").map((entry) => {
      const colon = entry.indexOf(":");
      const kind = entry.slice(0, colon);
      const value = entry.slice(colon + 1);
      return [kind, kind === "IP Address" && value.includes(":") ? openSslIpv6(value) : value];
    });
  }
  return result;
}

/** The serial number as CPython prints it: upper-case hex of whole bytes ("0DFA..."). */
function serialHex(serial: string): string {
  const hex = serial.toUpperCase();
  return hex.length % 2 === 1 ? `0${hex}` : hex;
}

/** An IPv6 address as OpenSSL (and so CPython) prints it: eight groups, "0:0:0:0:0:0:0:1". */
function openSslIpv6(address: string): string {
  const [head = "", tail] = address.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined
    ? left
    : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.map((group) => parseInt(group, 16).toString(16).toUpperCase()).join(":");
}

const PEM_HEADER = "-----BEGIN CERTIFICATE-----";
const PEM_FOOTER = "-----END CERTIFICATE-----";

/**
 * A DER certificate as PEM text, as Python's `ssl.DER_cert_to_PEM_cert`.
 *
 * @param der The certificate's DER bytes.
 * @returns PEM text with 64-character lines.
 *
 * @example A round trip through PEM
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { derCertToPemCert, pemCertToDerCert } from "@pynet/net/ssl";
 * const der = new Uint8Array([48, 3, 2, 1, 1]);
 * assertEquals(pemCertToDerCert(derCertToPemCert(der)), der);
 * ```
 */
export function derCertToPemCert(der: Uint8Array): string {
  if (!(der instanceof Uint8Array)) {
    throw new TypeError(`a bytes-like object is required, not '${pyTypeName(der)}'`);
  }
  let binary = "";
  for (const byte of der) binary += String.fromCharCode(byte);
  const base64 = btoa(binary);
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `${PEM_HEADER}\n${lines.join("\n")}\n${PEM_FOOTER}\n`;
}

/**
 * The DER bytes of a PEM certificate, as Python's `ssl.PEM_cert_to_DER_cert`.
 *
 * @param pem PEM text of one certificate.
 * @returns The DER bytes.
 * @throws {ValueError} When the text is not a PEM certificate.
 *
 * @example A round trip through PEM
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { derCertToPemCert, pemCertToDerCert } from "@pynet/net/ssl";
 * assertEquals(pemCertToDerCert(derCertToPemCert(new Uint8Array([1, 2]))).length, 2);
 * ```
 */
export function pemCertToDerCert(pem: string): Uint8Array {
  if (typeof pem !== "string") {
    throw new TypeError(
      `startswith first arg must be ${pyTypeName(pem)} or a tuple of ${pyTypeName(pem)}, not str`,
    );
  }
  const text = pem.trim();
  if (!text.startsWith(PEM_HEADER)) {
    throw new ValueError(`Invalid PEM encoding; must start with ${PEM_HEADER}`);
  }
  if (!text.endsWith(PEM_FOOTER)) {
    throw new ValueError(`Invalid PEM encoding; must end with ${PEM_FOOTER}`);
  }
  // As Python's base64.decodebytes: characters outside the alphabet are skipped.
  const body = text.slice(PEM_HEADER.length, -PEM_FOOTER.length).replace(/[^A-Za-z0-9+/=]/g, "");
  let binary: string;
  try {
    binary = atob(body);
  } catch {
    throw new ValueError("Incorrect padding"); // Python's binascii.Error, a ValueError
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Splits PEM text into its certificates. */
export function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * Whether `data` is one or more whole DER structures (SEQUENCEs), as OpenSSL must find in DER
 * `cadata`; garbage is CPython's `SSLError` at load time.
 */
export function isDerSequence(data: Uint8Array): boolean {
  let at = 0;
  while (at < data.length) {
    if (data[at] !== 0x30 || at + 2 > data.length) return false;
    let length = data[at + 1]!;
    let header = 2;
    if (length & 0x80) {
      const bytes = length & 0x7f;
      if (bytes === 0 || bytes > 4 || at + 2 + bytes > data.length) return false;
      length = 0;
      for (let i = 0; i < bytes; i++) length = length * 256 + data[at + 2 + i]!;
      header += bytes;
    }
    at += header + length;
    if (at > data.length) return false;
  }
  return data.length > 0;
}
