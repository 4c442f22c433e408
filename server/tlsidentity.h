#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

// A room's TLS identity for wss://: its certificate (plus any intermediates) and the
// matching private key. Loaded from PEM files the operator names, or, for a LAN room with
// no CA, a self-signed one that Confab makes once and keeps in the data directory so that
// members' trust-on-first-use pins stay valid across restarts.
class TlsIdentity final
{
public:
    TlsIdentity() = default;

    bool isNull() const { return m_certificate.isNull() || m_key.isNull(); }
    QSslCertificate certificate() const { return m_certificate; }
    // The certificates after the first in the certificate file (intermediates), if any.
    QList<QSslCertificate> chain() const { return m_chain; }
    QSslKey privateKey() const { return m_key; }

    // Reads a PEM certificate (optionally followed by intermediates) and an unencrypted
    // PEM private key, and checks that the key belongs to the certificate. On failure
    // returns a null identity and sets *error to a sentence naming the file and the cause.
    static TlsIdentity load(const QString &certFile, const QString &keyFile, QString *error);

    // DIR/tls/cert.pem and DIR/tls/key.pem: loads them when both exist, else makes a new
    // self-signed pair there (the key readable by the owner only). A pair that exists but
    // cannot be used is an error, not silently replaced: members pinned its fingerprint.
    static TlsIdentity ensureSelfSigned(const QString &dataDir, QString *error);
    static QString selfSignedCertPath(const QString &dataDir);
    static QString selfSignedKeyPath(const QString &dataDir);

    // A fresh EC P-256 key and a self-signed certificate for it: CN "Confab room", valid
    // ten years, subjectAltName with `hostName` (when given), localhost and the loopback
    // addresses. Uses OpenSSL's libcrypto directly, since Qt cannot make certificates.
    static TlsIdentity generateSelfSigned(const QString &hostName, QString *error);

    // PEM text of the certificate chain and of the key (PKCS#8, unencrypted).
    QByteArray certificatePem() const;
    QByteArray privateKeyPem() const { return m_keyPem; }

private:
    QSslCertificate m_certificate;
    QList<QSslCertificate> m_chain;
    QSslKey m_key;
    QByteArray m_keyPem;
};
