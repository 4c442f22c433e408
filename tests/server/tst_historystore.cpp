// HistoryStore: insert, page backwards and forwards, the limit trims the oldest, seq keeps
// increasing across reopen (and after trimming), a duplicate clientId is stored once.
#include "server/historystore.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

class TestHistoryStore : public QObject
{
    Q_OBJECT

private:
    static void fill(HistoryStore &store, int from, int to)
    {
        for (int i = from; i <= to; ++i) {
            const auto r = store.append(QStringLiteral("Alice"), QStringLiteral("alice"),
                                        QStringLiteral("c%1").arg(i), QStringLiteral("m%1").arg(i),
                                        QDateTime::currentDateTimeUtc());
            QVERIFY(r.ok);
            QVERIFY(!r.duplicate);
        }
    }

private Q_SLOTS:
    void insertAndPage()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY2(store.open(dir.path(), 1000), qPrintable(store.errorString()));
        fill(store, 1, 250);
        QCOMPARE(store.count(), 250);
        QCOMPARE(store.lastSeq(), 250);

        HistoryStore::Page latest = store.latest(100);
        QCOMPARE(latest.messages.size(), 100);
        QVERIFY(latest.hasMore);
        QCOMPARE(latest.messages.first().seq, 151);
        QCOMPARE(latest.messages.last().seq, 250);
        QCOMPARE(latest.messages.last().text, QStringLiteral("m250"));

        HistoryStore::Page older = store.before(151, 100);
        QCOMPARE(older.messages.first().seq, 51);
        QCOMPARE(older.messages.last().seq, 150);
        QVERIFY(older.hasMore);
        HistoryStore::Page oldest = store.before(51, 100);
        QCOMPARE(oldest.messages.size(), 50);
        QCOMPARE(oldest.messages.first().seq, 1);
        QVERIFY(!oldest.hasMore);

        HistoryStore::Page missed = store.after(200, 30);
        QCOMPARE(missed.messages.size(), 30);
        QCOMPARE(missed.messages.first().seq, 201);
        QVERIFY(missed.hasMore);
        QVERIFY(!store.after(240, 30).hasMore);
    }

    void limitTrimsOldest()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.path(), 50));
        fill(store, 1, 120);
        QCOMPARE(store.count(), 50);
        const HistoryStore::Page all = store.latest(500);
        QCOMPARE(all.messages.first().seq, 71);
        QVERIFY(!all.hasMore);
    }

    void seqMonotonicAcrossReopen()
    {
        QTemporaryDir dir;
        {
            HistoryStore store;
            QVERIFY(store.open(dir.path(), 10));
            fill(store, 1, 30); // trims down to seq 21..30
        }
        HistoryStore store;
        QVERIFY(store.open(dir.path(), 10));
        QCOMPARE(store.lastSeq(), 30);
        const auto r = store.append(QStringLiteral("Bob"), QStringLiteral("bob"), QStringLiteral("x"),
                                    QStringLiteral("after restart"), QDateTime::currentDateTimeUtc());
        QCOMPARE(r.message.seq, 31);
    }

    void duplicateClientIdStoredOnce()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.path(), 100));
        const QDateTime t = QDateTime::currentDateTimeUtc();
        const auto first = store.append(QStringLiteral("Alice"), QStringLiteral("alice"),
                                        QStringLiteral("same"), QStringLiteral("hello"), t);
        const auto again = store.append(QStringLiteral("Alice"), QStringLiteral("alice"),
                                        QStringLiteral("same"), QStringLiteral("hello"), t);
        QVERIFY(!first.duplicate);
        QVERIFY(again.duplicate);
        QCOMPARE(again.message.seq, first.message.seq);
        QCOMPARE(again.message.id, first.message.id);
        // Another sender may use the same clientId: it is theirs.
        const auto other = store.append(QStringLiteral("Bob"), QStringLiteral("bob"),
                                        QStringLiteral("same"), QStringLiteral("hi"), t);
        QVERIFY(!other.duplicate);
        QCOMPARE(store.count(), 2);
    }

    void unwritableDirectory()
    {
        HistoryStore store;
        QVERIFY(!store.open(QStringLiteral("/proc/confab-cannot-be-here"), 10));
        QVERIFY(!store.errorString().isEmpty());
    }

    void migratesVersionOne()
    {
        // A history written by the first release: the version-1 table, no user_version.
        QTemporaryDir dir;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
            db.setDatabaseName(dir.filePath(QStringLiteral("history.sqlite")));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                                          " id TEXT NOT NULL UNIQUE, sender TEXT NOT NULL, sender_key TEXT NOT NULL,"
                                          " client_id TEXT NOT NULL, time_ms INTEGER NOT NULL, text TEXT NOT NULL)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO messages (id, sender, sender_key, client_id, time_ms, text)"
                                          " VALUES ('old-1', 'Alice', 'alice', 'c1', 1700000000000, 'from v1')")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v1"));
        HistoryStore store;
        QVERIFY2(store.open(dir.path(), 100), qPrintable(store.errorString()));
        const HistoryStore::Page page = store.latest(10);
        QCOMPARE(page.messages.size(), 1);
        QCOMPARE(page.messages.first().text, QStringLiteral("from v1"));
        QVERIFY(!page.messages.first().edited);
        // The new features work on the old rows.
        QCOMPARE(store.edit(QStringLiteral("old-1"), QStringLiteral("alice"), QStringLiteral("edited")).result,
                 HistoryStore::Change::Done);
        QCOMPARE(store.react(QStringLiteral("old-1"), QStringLiteral("Bob"), QStringLiteral("bob"), QStringLiteral("👍"), true)
                     .message.reactions.size(), 1);
        const auto next = store.append(QStringLiteral("Bob"), QStringLiteral("bob"), QStringLiteral("c2"),
                                       QStringLiteral("after"), QDateTime::currentDateTimeUtc());
        QCOMPARE(next.message.seq, 2);
    }

    void trimmingTakesReactionsAlong()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.path(), 2));
        const auto first = store.append(QStringLiteral("A"), QStringLiteral("a"), QStringLiteral("1"), QStringLiteral("x"), QDateTime::currentDateTimeUtc());
        store.react(first.message.id, QStringLiteral("B"), QStringLiteral("b"), QStringLiteral("👍"), true);
        fill(store, 2, 4);
        QSqlQuery q(QSqlDatabase::database(QStringLiteral("confab-history-%1").arg(0), false));
        QCOMPARE(store.count(), 2);
        QVERIFY(store.message(first.message.id, QStringLiteral("b")).result == HistoryStore::Change::NotFound);
    }

    void koreanRoundTrip()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.path(), 10));
        store.append(QStringLiteral("민수"), QStringLiteral("민수"), QStringLiteral("k"),
                     QStringLiteral("안녕하세요 👋"), QDateTime::currentDateTimeUtc());
        QCOMPARE(store.latest(1).messages.first().text, QStringLiteral("안녕하세요 👋"));
        QCOMPARE(store.latest(1).messages.first().from, QStringLiteral("민수"));
    }
};

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "tst_historystore.moc"
