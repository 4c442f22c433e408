// Backoff: reconnect delays start near 0.5 s, double, stop at the 30 s cap, and carry
// +-20% jitter so that a room's clients do not all come back in the same millisecond.

#include "app/core/backoff.h"

#include <QTest>

class TestBackoff final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void growsByDoublingToTheCap();
    void jitterStaysWithinTwentyPercent();
    void jitterDiffersBetweenClients();
    void resetStartsOver();
};

void TestBackoff::growsByDoublingToTheCap()
{
    Backoff backoff(500, 30000, 42);
    const double expected[] = { 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };
    for (double base : expected) {
        const int delay = backoff.next();
        QVERIFY2(delay >= base * 0.8 && delay <= qMin(base * 1.2, 30000.0),
                 qPrintable(QStringLiteral("delay %1 for base %2").arg(delay).arg(base)));
    }
    for (int i = 0; i < 50; ++i)
        QVERIFY(backoff.next() <= 30000);
    QCOMPARE(backoff.attempts(), 59);
}

void TestBackoff::jitterStaysWithinTwentyPercent()
{
    int lowest = INT_MAX;
    int highest = 0;
    for (quint32 seed = 1; seed <= 500; ++seed) {
        Backoff backoff(500, 30000, seed);
        const int delay = backoff.next();
        QVERIFY(delay >= 400 && delay <= 600);
        lowest = qMin(lowest, delay);
        highest = qMax(highest, delay);
    }
    // The jitter is really used, not a constant factor.
    QVERIFY(lowest < 440);
    QVERIFY(highest > 560);
}

void TestBackoff::jitterDiffersBetweenClients()
{
    Backoff a(500, 30000, 1);
    Backoff b(500, 30000, 2);
    bool differ = false;
    for (int i = 0; i < 5; ++i)
        differ = differ || a.next() != b.next();
    QVERIFY(differ);
}

void TestBackoff::resetStartsOver()
{
    Backoff backoff(500, 30000, 7);
    for (int i = 0; i < 6; ++i)
        backoff.next();
    backoff.reset();
    QCOMPARE(backoff.attempts(), 0);
    const int delay = backoff.next();
    QVERIFY(delay >= 400 && delay <= 600);
}

QTEST_GUILESS_MAIN(TestBackoff)
#include "tst_backoff.moc"
