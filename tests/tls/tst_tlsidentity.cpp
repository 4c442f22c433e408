// The room's TLS identity: a self-signed certificate is made once and kept (key readable by
// the owner only); certificate and key files are checked, each refusal a sentence naming
// the file; the listener is TLS exactly when asked, and the options are both-or-neither.
#include "server/listener.h"
#include "server/serveroptions.h"
#include "server/tlsidentity.h"

#include <QCommandLineParser>
#include <QFile>
#include <QSslServer>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

bool writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

ServerOptions::Parsed parse(const QStringList &args)
{
    QCommandLineParser parser;
    ServerOptions::addTo(parser);
    if (!parser.parse(QStringList { QStringLiteral("confab") } + args))
        qFatal("%s", qPrintable(parser.errorText()));
    return ServerOptions::read(parser);
}

} // namespace

class TestTlsIdentity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void selfSignedIsMadeOnceAndKept()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;
        const TlsIdentity first = TlsIdentity::ensureSelfSigned(dir.path(), &error);
        QVERIFY2(!first.isNull(), qPrintable(error));
        const QString certPath = TlsIdentity::selfSignedCertPath(dir.path());
        const QString keyPath = TlsIdentity::selfSignedKeyPath(dir.path());
        QCOMPARE(certPath, dir.filePath(QStringLiteral("tls/cert.pem")));
        QVERIFY(QFile::exists(certPath));
        QVERIFY(QFile::exists(keyPath));

        const TlsIdentity second = TlsIdentity::ensureSelfSigned(dir.path(), &error);
        QVERIFY2(!second.isNull(), qPrintable(error));
        QCOMPARE(second.certificate(), first.certificate());
        QCOMPARE(second.privateKey(), first.privateKey());

        // Another data directory, another certificate.
        QTemporaryDir other;
        const TlsIdentity third = TlsIdentity::ensureSelfSigned(other.path(), &error);
        QVERIFY2(!third.isNull(), qPrintable(error));
        QVERIFY(third.certificate() != first.certificate());
    }

    void keyIsReadableByOwnerOnly()
    {
        QTemporaryDir dir;
        QString error;
        QVERIFY2(!TlsIdentity::ensureSelfSigned(dir.path(), &error).isNull(), qPrintable(error));
        const QFileDevice::Permissions key
            = QFile::permissions(TlsIdentity::selfSignedKeyPath(dir.path()));
        QVERIFY(key.testFlag(QFileDevice::ReadOwner));
        QVERIFY(key.testFlag(QFileDevice::WriteOwner));
        const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup
            | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::WriteOther
            | QFileDevice::ExeOther | QFileDevice::ExeOwner;
        QCOMPARE(key & others, QFileDevice::Permissions());
        const QFileDevice::Permissions tlsDir
            = QFile::permissions(dir.filePath(QStringLiteral("tls")));
        QCOMPARE(tlsDir & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
                 QFileDevice::Permissions());
    }

    void selfSignedCertificateContents()
    {
        QString error;
        const TlsIdentity id = TlsIdentity::generateSelfSigned(QStringLiteral("Lan-Box"), &error);
        QVERIFY2(!id.isNull(), qPrintable(error));
        const QSslCertificate cert = id.certificate();
        QVERIFY(cert.isSelfSigned());
        QCOMPARE(cert.subjectInfo(QSslCertificate::CommonName),
                 QStringList { QStringLiteral("Confab room") });
        QCOMPARE(cert.issuerDisplayName(), QStringLiteral("Confab room"));
        const QMultiMap<QSsl::AlternativeNameEntryType, QString> names
            = cert.subjectAlternativeNames();
        const QStringList dns = names.values(QSsl::DnsEntry);
        QVERIFY2(dns.contains(QStringLiteral("lan-box")), qPrintable(dns.join(u',')));
        QVERIFY(dns.contains(QStringLiteral("lan-box.local")));
        QVERIFY(dns.contains(QStringLiteral("localhost")));
        QVERIFY(names.values(QSsl::IpAddressEntry).contains(QStringLiteral("127.0.0.1")));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(cert.effectiveDate() <= now);
        QVERIFY(cert.expiryDate() > now.addYears(9).addMonths(11));
        QVERIFY(cert.expiryDate() < now.addYears(10).addMonths(1));
        QCOMPARE(id.privateKey().algorithm(), QSsl::Ec);
        QCOMPARE(id.privateKey().length(), 256);

        // A host name that is no DNS name is left out rather than breaking the certificate.
        const TlsIdentity odd
            = TlsIdentity::generateSelfSigned(QStringLiteral("bad,name/DNS:evil"), &error);
        QVERIFY2(!odd.isNull(), qPrintable(error));
        QCOMPARE(odd.certificate().subjectAlternativeNames().values(QSsl::DnsEntry),
                 QStringList { QStringLiteral("localhost") });
    }

    void loadsOwnFiles()
    {
        QTemporaryDir dir;
        QString error;
        const TlsIdentity made = TlsIdentity::generateSelfSigned(QString(), &error);
        QVERIFY2(!made.isNull(), qPrintable(error));
        const QString cert = dir.filePath(QStringLiteral("room.crt"));
        const QString key = dir.filePath(QStringLiteral("room.key"));
        QVERIFY(writeText(cert, made.certificatePem()));
        QVERIFY(writeText(key, made.privateKeyPem()));
        const TlsIdentity loaded = TlsIdentity::load(cert, key, &error);
        QVERIFY2(!loaded.isNull(), qPrintable(error));
        QCOMPARE(loaded.certificate(), made.certificate());
        QVERIFY(loaded.chain().isEmpty());
    }

    void mismatchedKeyIsRefused()
    {
        QTemporaryDir dir;
        QString error;
        const TlsIdentity a = TlsIdentity::generateSelfSigned(QString(), &error);
        const TlsIdentity b = TlsIdentity::generateSelfSigned(QString(), &error);
        QVERIFY(!a.isNull() && !b.isNull());
        const QString cert = dir.filePath(QStringLiteral("a.crt"));
        const QString key = dir.filePath(QStringLiteral("b.key"));
        QVERIFY(writeText(cert, a.certificatePem()));
        QVERIFY(writeText(key, b.privateKeyPem()));
        error.clear();
        QVERIFY(TlsIdentity::load(cert, key, &error).isNull());
        QVERIFY2(error.contains(QStringLiteral("does not belong to the certificate")),
                 qPrintable(error));
        QVERIFY(error.contains(QStringLiteral("b.key")));
        QVERIFY(error.contains(QStringLiteral("a.crt")));
        QVERIFY(error.endsWith(u'.'));
    }

    void badFilesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("cert"); // "ok": a good certificate; "-": no file
        QTest::addColumn<QByteArray>("key"); // "ok": its key; "-": no file
        QTest::addColumn<QString>("expected");
        QTest::newRow("no cert file") << QByteArray("-") << QByteArray("ok")
                                      << QStringLiteral("Cannot read the TLS certificate file");
        QTest::newRow("no key file") << QByteArray("ok") << QByteArray("-")
                                     << QStringLiteral("Cannot read the TLS private key file");
        QTest::newRow("cert not PEM") << QByteArray("hello") << QByteArray("ok")
                                      << QStringLiteral("holds no PEM certificate");
        QTest::newRow("key not PEM") << QByteArray("ok") << QByteArray("hello")
                                     << QStringLiteral("holds no PEM private key");
        QTest::newRow("key given as cert")
            << QByteArray("key") << QByteArray("ok") << QStringLiteral("holds no PEM certificate");
        QTest::newRow("encrypted key") << QByteArray("ok")
                                       << QByteArray("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n"
                                                     "-----END ENCRYPTED PRIVATE KEY-----\n")
                                       << QStringLiteral("protected by a passphrase");
    }

    void badFilesAreRefused()
    {
        QFETCH(QByteArray, cert);
        QFETCH(QByteArray, key);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QString error;
        const TlsIdentity good = TlsIdentity::generateSelfSigned(QString(), &error);
        QVERIFY(!good.isNull());
        const auto contents = [&](const QByteArray &spec, const QByteArray &fine) {
            if (spec == "ok")
                return fine;
            if (spec == "key")
                return good.privateKeyPem();
            return spec;
        };
        const QString certPath = dir.filePath(QStringLiteral("room.crt"));
        const QString keyPath = dir.filePath(QStringLiteral("room.key"));
        if (cert != "-")
            QVERIFY(writeText(certPath, contents(cert, good.certificatePem())));
        if (key != "-")
            QVERIFY(writeText(keyPath, contents(key, good.privateKeyPem())));
        error.clear();
        QVERIFY(TlsIdentity::load(certPath, keyPath, &error).isNull());
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void damagedSelfSignedPairIsNotReplaced()
    {
        QTemporaryDir dir;
        QString error;
        QVERIFY(!TlsIdentity::ensureSelfSigned(dir.path(), &error).isNull());
        const QString certPath = TlsIdentity::selfSignedCertPath(dir.path());
        QVERIFY(writeText(certPath, "garbage"));
        error.clear();
        QVERIFY(TlsIdentity::ensureSelfSigned(dir.path(), &error).isNull());
        QVERIFY2(error.contains(QStringLiteral("delete")), qPrintable(error));
        QFile file(certPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("garbage"));

        // Half a pair (no member can have pinned it) is made anew.
        QVERIFY(QFile::remove(certPath));
        QVERIFY2(!TlsIdentity::ensureSelfSigned(dir.path(), &error).isNull(), qPrintable(error));
        QVERIFY(QFile::exists(certPath));
    }

    void listenerIsTlsWhenAsked()
    {
        QTemporaryDir dir;
        ServerConfig config;
        config.dataDir = dir.path();
        QString error;
        std::unique_ptr<QTcpServer> plain(createListener(config, nullptr, &error));
        QVERIFY(plain);
        QVERIFY(!isTlsListener(plain.get()));

        config.tlsSelfSigned = true;
        std::unique_ptr<QTcpServer> tls(createListener(config, nullptr, &error));
        QVERIFY2(tls, qPrintable(error));
        QVERIFY(isTlsListener(tls.get()));
        auto *ssl = qobject_cast<QSslServer *>(tls.get());
        QVERIFY(ssl);
        QCOMPARE(ssl->sslConfiguration().protocol(), QSsl::TlsV1_2OrLater);
        QVERIFY(!ssl->sslConfiguration().localCertificate().isNull());
        QCOMPARE(ssl->handshakeTimeout(), config.helloTimeoutMs);
        QVERIFY(QFile::exists(TlsIdentity::selfSignedCertPath(dir.path())));

        // Files that do not fit give no listener and a sentence.
        config.tlsCertFile = dir.filePath(QStringLiteral("missing.crt"));
        config.tlsKeyFile = TlsIdentity::selfSignedKeyPath(dir.path());
        error.clear();
        QVERIFY(!createListener(config, nullptr, &error));
        QVERIFY2(error.contains(QStringLiteral("missing.crt")), qPrintable(error));
    }

    void options()
    {
        ServerOptions::Parsed p = parse({});
        QVERIFY(p.ok());
        QVERIFY(!isTlsRequested(p.config));

        p = parse({ QStringLiteral("--tls-self-signed") });
        QVERIFY2(p.ok(), qPrintable(p.error));
        QVERIFY(p.config.tlsSelfSigned);
        QVERIFY(isTlsRequested(p.config));

        p = parse({ QStringLiteral("--tls-cert"), QStringLiteral("a.pem"),
                    QStringLiteral("--tls-key"), QStringLiteral("b.pem") });
        QVERIFY2(p.ok(), qPrintable(p.error));
        QCOMPARE(p.config.tlsCertFile, QStringLiteral("a.pem"));
        QCOMPARE(p.config.tlsKeyFile, QStringLiteral("b.pem"));
        QVERIFY(!p.config.tlsSelfSigned);

        p = parse({ QStringLiteral("--tls-cert"), QStringLiteral("a.pem") });
        QVERIFY(!p.ok());
        QVERIFY2(p.error.contains(QStringLiteral("--tls-key")), qPrintable(p.error));
        p = parse({ QStringLiteral("--tls-key"), QStringLiteral("b.pem") });
        QVERIFY(!p.ok());
        QVERIFY2(p.error.contains(QStringLiteral("--tls-cert")), qPrintable(p.error));
        p = parse({ QStringLiteral("--tls-cert"), QStringLiteral("a.pem"),
                    QStringLiteral("--tls-key"), QStringLiteral("b.pem"),
                    QStringLiteral("--tls-self-signed") });
        QVERIFY(!p.ok());
        QVERIFY2(p.error.contains(QStringLiteral("not both")), qPrintable(p.error));
    }
};

QTEST_GUILESS_MAIN(TestTlsIdentity)
#include "tst_tlsidentity.moc"
