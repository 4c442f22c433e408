// The small pieces behind the limits, exactly: the token bucket, the origin policy's
// normalisation, and the command-line options with their refusals.
#include "server/originpolicy.h"
#include "server/serveroptions.h"
#include "server/tokenbucket.h"

#include <QCommandLineParser>
#include <QTemporaryFile>
#include <QTest>

class TestServerParts : public QObject
{
    Q_OBJECT

private:
    static ServerOptions::Parsed parse(const QStringList &args)
    {
        QCommandLineParser parser;
        ServerOptions::addTo(parser);
        if (!parser.parse(QStringList { QStringLiteral("confab") } + args))
            return { {}, parser.errorText() };
        return ServerOptions::read(parser);
    }

private Q_SLOTS:
    void tokenBucket()
    {
        TokenBucket bucket(5.0, 20);
        qint64 t = 1000;
        for (int i = 0; i < 20; ++i)
            QVERIFY(bucket.take(t));
        QVERIFY(!bucket.take(t));
        QCOMPARE(bucket.waitMs(), 201);
        QVERIFY(!bucket.take(t + 150));
        QVERIFY(bucket.take(t + 210));
        QVERIFY(!bucket.take(t + 210));
        // Refills to the burst, not beyond.
        for (int i = 0; i < 20; ++i)
            QVERIFY(bucket.take(t + 100000));
        QVERIFY(!bucket.take(t + 100000));
        TokenBucket unlimited(0, 20);
        for (int i = 0; i < 1000; ++i)
            QVERIFY(unlimited.take(t));
    }

    void originNormalise()
    {
        QCOMPARE(OriginPolicy::normalise(QStringLiteral("HTTP://Chat.Example:80/")),
                 QStringLiteral("http://chat.example"));
        QCOMPARE(OriginPolicy::normalise(QStringLiteral("https://a.example:8443")),
                 QStringLiteral("https://a.example:8443"));
        QCOMPARE(OriginPolicy::normalise(QStringLiteral("null")), QStringLiteral("null"));
        OriginPolicy policy({ QStringLiteral("http://a.example:8080") }, 26632);
        QVERIFY(policy.allows(QStringLiteral("http://A.example:8080")));
        QVERIFY(!policy.allows(QStringLiteral("http://a.example")));
        QVERIFY(policy.allows(QStringLiteral("http://127.0.0.1:26632")));
        QVERIFY(!policy.allows(QStringLiteral("http://127.0.0.1:26633")));
        QVERIFY(!policy.allows(QStringLiteral("ftp://127.0.0.1:26632")));
    }

    void options()
    {
        const auto p = parse({ QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--max-rate"),
                               QStringLiteral("0"), QStringLiteral("--allow-origin"), QStringLiteral("*"),
                               QStringLiteral("--allow-origin"), QStringLiteral("null"),
                               QStringLiteral("--idle-timeout"), QStringLiteral("20") });
        QVERIFY2(p.ok(), qPrintable(p.error));
        QCOMPARE(p.config.port, quint16(0));
        QCOMPARE(p.config.maxRate, 0.0);
        QCOMPARE(p.config.allowedOrigins.size(), 2);
        QCOMPARE(p.config.idleTimeoutMs, 20000);
        QVERIFY(p.config.pingIntervalMs <= 10000);
    }

    void badOptions_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("named");
        QTest::newRow("port") << QStringList { QStringLiteral("--port"), QStringLiteral("70000") } << QStringLiteral("--port");
        QTest::newRow("bind") << QStringList { QStringLiteral("--bind"), QStringLiteral("nowhere") } << QStringLiteral("--bind");
        QTest::newRow("max-clients") << QStringList { QStringLiteral("--max-clients"), QStringLiteral("0") } << QStringLiteral("--max-clients");
        QTest::newRow("max-rate") << QStringList { QStringLiteral("--max-rate"), QStringLiteral("fast") } << QStringLiteral("--max-rate");
        QTest::newRow("max-frame") << QStringList { QStringLiteral("--max-frame"), QStringLiteral("99999999") } << QStringLiteral("--max-frame");
        QTest::newRow("password-file") << QStringList { QStringLiteral("--password-file"), QStringLiteral("/nonexistent/pw") } << QStringLiteral("/nonexistent/pw");
    }
    void badOptions()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, named);
        const auto p = parse(args);
        QVERIFY(!p.ok());
        QVERIFY2(p.error.contains(named), qPrintable(p.error));
    }

    void passwordFile()
    {
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("open sesame\n");
        file.close();
        const auto p = parse({ QStringLiteral("--password-file"), file.fileName() });
        QVERIFY2(p.ok(), qPrintable(p.error));
        QVERIFY(p.config.password.matches(QStringLiteral("open sesame")));
        QVERIFY(!p.config.password.matches(QStringLiteral("open sesame\n")));
    }
};

QTEST_GUILESS_MAIN(TestServerParts)
#include "tst_serverparts.moc"
