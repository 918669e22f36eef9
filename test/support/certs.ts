/**
 * Test certificates made on the fly (nothing committed): a test CA, server certificates signed by
 * it (valid, expired, for another host name), a self-signed one, and client certificates.
 * Keys come from Node's crypto (fast); node-forge builds and signs the X.509 certificates.
 */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface Pem {
  cert: string;
  key: string;
}

interface Options {
  commonName: string;
  /** DNS names and IP addresses for subjectAltName. */
  dns?: string[];
  ips?: string[];
  /** Signed by this CA; self-signed when absent. */
  issuer?: Pem;
  isCa?: boolean;
  client?: boolean;
  /** Validity, in days from now (negative for the past). */
  fromDays?: number;
  toDays?: number;
}

let serial = 1;

export function makeCert(opts: Options): Pem {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = (serial++).toString(16).padStart(4, '0');
  const day = 24 * 60 * 60 * 1000;
  cert.validity.notBefore = new Date(Date.now() + (opts.fromDays ?? -1) * day);
  cert.validity.notAfter = new Date(Date.now() + (opts.toDays ?? 30) * day);
  const subject = [{ name: 'commonName', value: opts.commonName }];
  cert.setSubject(subject);
  const issuerCert = opts.issuer ? forge.pki.certificateFromPem(opts.issuer.cert) : null;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
  const altNames = [...(opts.dns ?? []).map((value) => ({ type: 2, value })), ...(opts.ips ?? []).map((ip) => ({ type: 7, ip }))];
  cert.setExtensions([
    { name: 'basicConstraints', cA: opts.isCa === true, critical: true },
    opts.isCa ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true } : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    ...(opts.isCa ? [] : [{ name: 'extKeyUsage', serverAuth: !opts.client, clientAuth: opts.client === true }]),
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
  ]);
  const signer = opts.issuer ? (forge.pki.privateKeyFromPem(opts.issuer.key) as forge.pki.rsa.PrivateKey) : key;
  cert.sign(signer, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keyPem };
}

/** A CA and the certificates the TLS tests need, all for 127.0.0.1. */
export function makeTestPki() {
  const ca = makeCert({ commonName: 'relay test CA', isCa: true, toDays: 30 });
  return {
    ca,
    valid: makeCert({ commonName: '127.0.0.1', ips: ['127.0.0.1'], issuer: ca }),
    expired: makeCert({ commonName: '127.0.0.1', ips: ['127.0.0.1'], issuer: ca, fromDays: -30, toDays: -1 }),
    wrongHost: makeCert({ commonName: 'elsewhere.example', dns: ['elsewhere.example'], issuer: ca }),
    selfSigned: makeCert({ commonName: '127.0.0.1', ips: ['127.0.0.1'] }),
    client: makeCert({ commonName: 'relay test client', issuer: ca, client: true }),
  };
}
