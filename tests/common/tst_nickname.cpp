// Nicknames: NFKC-normalised, compared case-folded, invisible characters refused.
#include "common/nickname.h"

#include <QTest>

using namespace Confab;

class TestNickname : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepted_data()
    {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<QString>("shown");
        QTest::newRow("ascii") << QStringLiteral("Alice") << QStringLiteral("Alice");
        QTest::newRow("korean") << QStringLiteral("김민수") << QStringLiteral("김민수");
        QTest::newRow("inner space") << QStringLiteral("Mary Ann") << QStringLiteral("Mary Ann");
        QTest::newRow("fullwidth") << QStringLiteral("ａlice") << QStringLiteral("alice");
        QTest::newRow("32 chars") << QString(32, QLatin1Char('x')) << QString(32, QLatin1Char('x'));
        QTest::newRow("emoji") << QStringLiteral("🐱cat") << QStringLiteral("🐱cat");
    }
    void accepted()
    {
        QFETCH(QString, raw);
        QFETCH(QString, shown);
        const auto checked = Nickname::check(raw);
        QVERIFY2(checked.ok(), qPrintable(checked.error));
        QCOMPARE(checked.nick, shown);
    }

    void refused_data()
    {
        QTest::addColumn<QString>("raw");
        QTest::newRow("empty") << QString();
        QTest::newRow("spaces") << QStringLiteral("   ");
        QTest::newRow("leading space") << QStringLiteral(" bob");
        QTest::newRow("33 chars") << QString(33, QLatin1Char('x'));
        QTest::newRow("zero width space") << QStringLiteral("alice\u200b");
        QTest::newRow("zero width joiner") << QStringLiteral("al\u200dice");
        QTest::newRow("rtl override") << QStringLiteral("\u202eecila");
        QTest::newRow("newline") << QStringLiteral("ali\nce");
        QTest::newRow("tab") << QStringLiteral("ali\tce");
        QTest::newRow("nul") << QString(QChar(0)) + QStringLiteral("x");
        QTest::newRow("hangul filler") << QStringLiteral("\u3164");
    }
    void refused()
    {
        QFETCH(QString, raw);
        const auto checked = Nickname::check(raw);
        QVERIFY(!checked.ok());
        QVERIFY(!checked.error.isEmpty());
    }

    void sameKey()
    {
        const QString alice = Nickname::key(Nickname::check(QStringLiteral("Alice")).nick);
        QCOMPARE(Nickname::key(Nickname::check(QStringLiteral("ａlice")).nick), alice);
        QCOMPARE(Nickname::key(Nickname::check(QStringLiteral("ALICE")).nick), alice);
        QVERIFY(Nickname::key(QStringLiteral("Alicia")) != alice);
    }
};

QTEST_GUILESS_MAIN(TestNickname)
#include "tst_nickname.moc"
