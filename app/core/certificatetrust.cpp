#include "app/core/certificatetrust.h"

#include <QCryptographicHash>
#include <QHash>
#include <QSettings>
#include <QSslCertificate>
#include <QUrl>

namespace {

class SettingsStore final : public CertificateTrust::Store
{
public:
    QString fingerprint(const QString &hostPort) const override
    {
        return settings().value(key(hostPort)).toString();
    }
    void setFingerprint(const QString &hostPort, const QString &fingerprint) override
    {
        settings().setValue(key(hostPort), fingerprint);
    }
    void remove(const QString &hostPort) override { settings().remove(key(hostPort)); }

private:
    // A fresh QSettings each time, so that other windows' and processes' pins are seen.
    static QSettings settings() { return QSettings(); }
    // '/' would make a subgroup; host:port never holds one, but a URL typed in might.
    static QString key(const QString &hostPort)
    {
        return QStringLiteral("trustedCertificates/")
            + QString(hostPort).replace(QLatin1Char('/'), QLatin1Char('_'));
    }
};

class MemoryStore final : public CertificateTrust::Store
{
public:
    QString fingerprint(const QString &hostPort) const override { return m_pins.value(hostPort); }
    void setFingerprint(const QString &hostPort, const QString &fingerprint) override
    {
        m_pins.insert(hostPort, fingerprint);
    }
    void remove(const QString &hostPort) override { m_pins.remove(hostPort); }

private:
    QHash<QString, QString> m_pins;
};

} // namespace

std::unique_ptr<CertificateTrust::Store> CertificateTrust::settingsStore()
{
    return std::make_unique<SettingsStore>();
}

std::unique_ptr<CertificateTrust::Store> CertificateTrust::memoryStore()
{
    return std::make_unique<MemoryStore>();
}

CertificateTrust::CertificateTrust(std::unique_ptr<Store> store)
    : m_store(std::move(store))
{ }

CertificateTrust::~CertificateTrust() = default;

CertificateTrust::Decision CertificateTrust::check(const QString &hostPort,
                                                   const QSslCertificate &certificate)
{
    const QString seen = fingerprint(certificate);
    const QString known = m_store->fingerprint(hostPort);
    if (known.isEmpty()) {
        m_store->setFingerprint(hostPort, seen);
        return Decision::FirstUse;
    }
    return known == seen ? Decision::Trusted : Decision::Changed;
}

QString CertificateTrust::knownFingerprint(const QString &hostPort) const
{
    return m_store->fingerprint(hostPort);
}

void CertificateTrust::remember(const QString &hostPort, const QSslCertificate &certificate)
{
    m_store->setFingerprint(hostPort, fingerprint(certificate));
}

void CertificateTrust::forget(const QString &hostPort)
{
    m_store->remove(hostPort);
}

QString CertificateTrust::fingerprint(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return {};
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

QString CertificateTrust::hostPort(const QUrl &url)
{
    QString host = url.host(QUrl::FullyEncoded).toLower();
    if (host.contains(QLatin1Char(':')))
        host = QLatin1Char('[') + host + QLatin1Char(']');
    const bool secure = url.scheme().compare(QLatin1String("wss"), Qt::CaseInsensitive) == 0;
    return host + QLatin1Char(':') + QString::number(url.port(secure ? 443 : 80));
}
