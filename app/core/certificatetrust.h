#pragma once

#include <QString>

#include <memory>

class QSslCertificate;
class QUrl;

// Trust on first use for rooms whose certificate no CA vouches for (a LAN host's
// self-signed one), as SSH does with host keys: the first certificate seen at a host:port is
// remembered by its SHA-256 fingerprint and accepted; the same one later is trusted; a
// different one is refused, since it may be someone in the middle. Replacing a pin is the
// user's explicit decision (forget() or remember()), never automatic.
class CertificateTrust final
{
    Q_DISABLE_COPY_MOVE(CertificateTrust)

public:
    enum class Decision {
        Trusted, // known, and the same certificate
        FirstUse, // unknown: now remembered, and accepted
        Changed, // known, and a different certificate: refuse
    };

    // Where the fingerprints are kept, keyed by host:port.
    class Store
    {
    public:
        virtual ~Store() = default;
        virtual QString fingerprint(const QString &hostPort) const = 0; // empty: unknown
        virtual void setFingerprint(const QString &hostPort, const QString &fingerprint) = 0;
        virtual void remove(const QString &hostPort) = 0;
    };
    // QSettings (the application's), group "trustedCertificates": what the app uses.
    static std::unique_ptr<Store> settingsStore();
    // A map in memory, forgotten with the object: for tests and one-off tools.
    static std::unique_ptr<Store> memoryStore();

    explicit CertificateTrust(std::unique_ptr<Store> store);
    ~CertificateTrust();

    Decision check(const QString &hostPort, const QSslCertificate &certificate);
    // The pinned fingerprint for hostPort, empty when none.
    QString knownFingerprint(const QString &hostPort) const;
    // Pins `certificate` for hostPort, replacing any earlier pin (the user accepted a change).
    void remember(const QString &hostPort, const QSslCertificate &certificate);
    void forget(const QString &hostPort);

    // SHA-256 of the DER certificate as uppercase hex pairs joined by ':' ("AB:01:…").
    static QString fingerprint(const QSslCertificate &certificate);
    // The key for a room URL: "host:port", the host lower-case, an IPv6 address in
    // brackets, the port defaulting as QWebSocket does (443 for wss, 80 for ws).
    static QString hostPort(const QUrl &url);

private:
    std::unique_ptr<Store> m_store;
};
