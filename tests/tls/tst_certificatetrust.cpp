// Trust on first use: an unknown room is remembered and accepted, the same certificate is
// trusted later, a different one is refused and does not replace the pin; fingerprints are
// SHA-256 in "AB:CD:…" form; host:port keys; pins kept in QSettings survive the object.
#include "app/core/certificatetrust.h"
#include "server/tlsidentity.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QUrl>

using Decision = CertificateTrust::Decision;

class TestCertificateTrust : public QObject
{
    Q_OBJECT

    QSslCertificate m_a;
    QSslCertificate m_b;

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        m_a = TlsIdentity::generateSelfSigned(QStringLiteral("a"), &error).certificate();
        m_b = TlsIdentity::generateSelfSigned(QStringLiteral("b"), &error).certificate();
        QVERIFY2(!m_a.isNull() && !m_b.isNull(), qPrintable(error));
    }

    void fingerprintFormat()
    {
        const QString fp = CertificateTrust::fingerprint(m_a);
        QVERIFY2(QRegularExpression(QStringLiteral("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"))
                     .match(fp)
                     .hasMatch(),
                 qPrintable(fp));
        const QByteArray digest = QCryptographicHash::hash(m_a.toDer(), QCryptographicHash::Sha256);
        QCOMPARE(QByteArray::fromHex(fp.toLatin1().replace(':', "")), digest);
        QVERIFY(fp != CertificateTrust::fingerprint(m_b));
        QVERIFY(CertificateTrust::fingerprint(QSslCertificate()).isEmpty());
    }

    void firstUseThenTrustedThenChanged()
    {
        CertificateTrust trust(CertificateTrust::memoryStore());
        const QString room = QStringLiteral("192.168.1.5:7878");
        QVERIFY(trust.knownFingerprint(room).isEmpty());
        QCOMPARE(trust.check(room, m_a), Decision::FirstUse);
        QCOMPARE(trust.knownFingerprint(room), CertificateTrust::fingerprint(m_a));
        QCOMPARE(trust.check(room, m_a), Decision::Trusted);
        QCOMPARE(trust.check(room, m_b), Decision::Changed);
        // A refused certificate never replaces the pin, however often it is offered.
        QCOMPARE(trust.check(room, m_b), Decision::Changed);
        QCOMPARE(trust.check(room, m_a), Decision::Trusted);

        // Pins are per host:port.
        QCOMPARE(trust.check(QStringLiteral("192.168.1.5:7879"), m_b), Decision::FirstUse);
        QCOMPARE(trust.check(QStringLiteral("192.168.1.6:7878"), m_b), Decision::FirstUse);
        QCOMPARE(trust.check(room, m_a), Decision::Trusted);

        // The user accepts a new certificate, or forgets the room.
        trust.remember(room, m_b);
        QCOMPARE(trust.check(room, m_b), Decision::Trusted);
        QCOMPARE(trust.check(room, m_a), Decision::Changed);
        trust.forget(room);
        QCOMPARE(trust.check(room, m_a), Decision::FirstUse);
    }

    void hostPortKeys()
    {
        QCOMPARE(CertificateTrust::hostPort(QUrl(QStringLiteral("wss://Lan-Box:7878"))),
                 QStringLiteral("lan-box:7878"));
        QCOMPARE(CertificateTrust::hostPort(QUrl(QStringLiteral("wss://10.0.0.2"))),
                 QStringLiteral("10.0.0.2:443"));
        QCOMPARE(CertificateTrust::hostPort(QUrl(QStringLiteral("ws://10.0.0.2"))),
                 QStringLiteral("10.0.0.2:80"));
        QCOMPARE(CertificateTrust::hostPort(QUrl(QStringLiteral("wss://[::1]:7878/"))),
                 QStringLiteral("[::1]:7878"));
    }

    void settingsStoreKeepsPins()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ConfabTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_certificatetrust"));
        QSettings().clear();
        const QString room = QStringLiteral("[fe80::1]:7878");
        {
            CertificateTrust trust(CertificateTrust::settingsStore());
            QCOMPARE(trust.check(room, m_a), Decision::FirstUse);
        }
        {
            CertificateTrust trust(CertificateTrust::settingsStore());
            QCOMPARE(trust.knownFingerprint(room), CertificateTrust::fingerprint(m_a));
            QCOMPARE(trust.check(room, m_a), Decision::Trusted);
            QCOMPARE(trust.check(room, m_b), Decision::Changed);
            trust.forget(room);
            QVERIFY(trust.knownFingerprint(room).isEmpty());
        }
        QSettings().clear();
    }
};

QTEST_GUILESS_MAIN(TestCertificateTrust)
#include "tst_certificatetrust.moc"
