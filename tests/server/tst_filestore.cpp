// FileStore on its own: partial uploads, resume, the SHA-256 check, the caps, stale partials.

#include "server/filestore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {
QString hexOf(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}
int countFiles(const QString &dir)
{
    return int(QDir(dir).entryList(QDir::Files).size());
}
} // namespace

class TestFileStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void storesAVerifiedFile()
    {
        QTemporaryDir dir;
        FileStore store;
        QVERIFY(store.open(dir.path(), 1000, 10000));
        const QByteArray data(700, 'x');
        int owner = 0;
        const auto begun = store.begin(&owner, QStringLiteral("alice"), QStringLiteral("upload-1"),
                                       data.size(), hexOf(data));
        QCOMPARE(begun.result, FileStore::Result::Ok);
        QCOMPARE(begun.offset, 0);
        QCOMPARE(store.reservedBytes(), 700);
        auto a = store.append(&owner, begun.key, 0, QByteArrayView(data).first(300));
        QCOMPARE(a.result, FileStore::Result::Ok);
        QVERIFY(!a.complete);
        // Only the bytes held may come next.
        a = store.append(&owner, begun.key, 100, QByteArrayView(data).sliced(300));
        QCOMPARE(a.result, FileStore::Result::BadOffset);
        QCOMPARE(a.offset, 300);
        // Nobody else may append.
        int other = 0;
        QCOMPARE(store.append(&other, begun.key, 300, QByteArrayView(data).sliced(300)).result,
                 FileStore::Result::NotFound);
        a = store.append(&owner, begun.key, 300, QByteArrayView(data).sliced(300));
        QCOMPARE(a.result, FileStore::Result::Ok);
        QVERIFY(a.complete);
        QFile stored(store.filePath(a.fileId));
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QCOMPARE(stored.readAll(), data);
        QCOMPARE(store.usedBytes(), 700);
        QCOMPARE(store.reservedBytes(), 0);
        QCOMPARE(countFiles(store.directory() + QStringLiteral("/partial")), 0);
        // Ids are never paths.
        QVERIFY(store.filePath(QStringLiteral("../history.sqlite")).isEmpty());
        QVERIFY(store.filePath(QStringLiteral("partial")).isEmpty());
    }

    void resumesAPartialAfterARestart()
    {
        QTemporaryDir dir;
        const QByteArray data(5000, 'y');
        int owner = 0;
        {
            FileStore store;
            QVERIFY(store.open(dir.path(), 10000, 100000));
            const auto begun = store.begin(&owner, QStringLiteral("alice"), QStringLiteral("upload-2"),
                                           data.size(), hexOf(data));
            QCOMPARE(store.append(&owner, begun.key, 0, QByteArrayView(data).first(2000)).result,
                     FileStore::Result::Ok);
            store.release(&owner, begun.key, FileStore::Partial::Keep);
        }
        FileStore store;
        QVERIFY(store.open(dir.path(), 10000, 100000));
        QCOMPARE(store.usedBytes(), 2000); // the partial counts
        // Another member with the same uploadId does not get alice's bytes.
        const auto bob = store.begin(&owner, QStringLiteral("bob"), QStringLiteral("upload-2"),
                                     data.size(), hexOf(data));
        QCOMPARE(bob.offset, 0);
        store.release(&owner, bob.key, FileStore::Partial::Remove);
        const auto begun = store.begin(&owner, QStringLiteral("alice"), QStringLiteral("upload-2"),
                                       data.size(), hexOf(data));
        QCOMPARE(begun.offset, 2000);
        const auto a = store.append(&owner, begun.key, 2000, QByteArrayView(data).sliced(2000));
        QVERIFY(a.complete);
        QFile stored(store.filePath(a.fileId));
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QCOMPARE(stored.readAll(), data);
    }

    void resumesAParkedUploadWithoutReadingItAgain()
    {
        QTemporaryDir dir;
        FileStore store;
        QVERIFY(store.open(dir.path(), 100000, 200000));
        const QByteArray data(50000, 'p');
        int first = 0;
        const auto begun = store.begin(&first, QStringLiteral("alice"), QStringLiteral("upload-p"),
                                       data.size(), hexOf(data));
        QCOMPARE(store.append(&first, begun.key, 0, QByteArrayView(data).first(20000)).result,
                 FileStore::Result::Ok);
        QCOMPARE(store.reservedBytes(), 30000);
        // The connection drops: parked, its remaining bytes no longer promised.
        store.release(&first, begun.key, FileStore::Partial::Keep);
        QCOMPARE(store.reservedBytes(), 0);
        QCOMPARE(store.usedBytes(), 20000);
        // Nobody appends to a parked upload.
        QCOMPARE(store.append(&first, begun.key, 20000, QByteArrayView(data).sliced(20000)).result,
                 FileStore::Result::NotFound);
        // The member announces it again from a new connection: on from 20,000, nothing re-read.
        int second = 0;
        const auto again = store.begin(&second, QStringLiteral("alice"), QStringLiteral("upload-p"),
                                       data.size(), hexOf(data));
        QCOMPARE(again.result, FileStore::Result::Ok);
        QCOMPARE(again.offset, 20000);
        QCOMPARE(store.rehashedBytes(), 0);
        QCOMPARE(store.reservedBytes(), 30000);
        const auto done = store.append(&second, again.key, 20000, QByteArrayView(data).sliced(20000));
        QVERIFY(done.complete);

        // Only the newest MaxParked are kept; an older one is read again when it resumes.
        QList<QString> keys;
        const QByteArray small(10, 's');
        for (int i = 0; i <= FileStore::MaxParked; ++i) {
            const auto b = store.begin(&first, QStringLiteral("alice"), QStringLiteral("many-%1").arg(i),
                                       small.size(), hexOf(small));
            QCOMPARE(store.append(&first, b.key, 0, QByteArrayView(small).first(4)).result,
                     FileStore::Result::Ok);
            store.release(&first, b.key, FileStore::Partial::Keep);
        }
        const auto oldest = store.begin(&second, QStringLiteral("alice"), QStringLiteral("many-0"),
                                        small.size(), hexOf(small));
        QCOMPARE(oldest.offset, 4);
        QCOMPARE(store.rehashedBytes(), 4);
        QVERIFY(store.append(&second, oldest.key, 4, QByteArrayView(small).sliced(4)).complete);
    }

    void refusesAMismatch()
    {
        QTemporaryDir dir;
        FileStore store;
        QVERIFY(store.open(dir.path(), 1000, 10000));
        int owner = 0;
        const QByteArray data(100, 'z');
        const auto begun = store.begin(&owner, QStringLiteral("alice"), QStringLiteral("upload-3"),
                                       data.size(), hexOf("something else"));
        const auto a = store.append(&owner, begun.key, 0, data);
        QCOMPARE(a.result, FileStore::Result::Corrupt);
        QCOMPARE(countFiles(store.directory()), 0);
        QCOMPARE(countFiles(store.directory() + QStringLiteral("/partial")), 0);
        QCOMPARE(store.usedBytes(), 0);
        QCOMPARE(store.reservedBytes(), 0);
    }

    void keepsTheCaps()
    {
        QTemporaryDir dir;
        FileStore store;
        QVERIFY(store.open(dir.path(), 1000, 1500));
        int owner = 0;
        QCOMPARE(store.begin(&owner, QStringLiteral("a"), QStringLiteral("upload-4"), 1001,
                             hexOf("x")).result,
                 FileStore::Result::TooBig);
        const auto first = store.begin(&owner, QStringLiteral("a"), QStringLiteral("upload-5"), 1000,
                                       hexOf("x"));
        QCOMPARE(first.result, FileStore::Result::Ok);
        // Reserved for the first upload, even before its bytes come.
        QCOMPARE(store.begin(&owner, QStringLiteral("a"), QStringLiteral("upload-6"), 600,
                             hexOf("y")).result,
                 FileStore::Result::StorageFull);
        store.release(&owner, first.key, FileStore::Partial::Remove);
        QCOMPARE(store.begin(&owner, QStringLiteral("a"), QStringLiteral("upload-6"), 600,
                             hexOf("y")).result,
                 FileStore::Result::Ok);
    }

    void countsExistingFilesAtStart()
    {
        QTemporaryDir dir;
        QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("files"))));
        QFile existing(dir.filePath(QStringLiteral("files/0f2b6b52-1111-4e55-9c1c-7a3b5b1d0a01")));
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write(QByteArray(1200, 'e'));
        existing.close();
        FileStore store;
        QVERIFY(store.open(dir.path(), 1000, 2000));
        QCOMPARE(store.usedBytes(), 1200);
        int owner = 0;
        QCOMPARE(store.begin(&owner, QStringLiteral("a"), QStringLiteral("upload-7"), 900,
                             hexOf("x")).result,
                 FileStore::Result::StorageFull);
        // Files no message carries go when asked.
        QCOMPARE(store.removeUnreferenced({}), 1);
        QCOMPARE(store.usedBytes(), 0);
    }

    void removesStalePartialsAtStart()
    {
        QTemporaryDir dir;
        QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("files/partial"))));
        QFile old(dir.filePath(QStringLiteral("files/partial/old")));
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("old bytes");
        old.flush();
        QVERIFY(old.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-25 * 3600),
                                QFileDevice::FileModificationTime));
        old.close();
        QFile fresh(dir.filePath(QStringLiteral("files/partial/fresh")));
        QVERIFY(fresh.open(QIODevice::WriteOnly));
        fresh.write("fresh");
        fresh.close();
        FileStore store;
        QVERIFY(store.open(dir.path(), 1000, 2000));
        QVERIFY(!QFile::exists(old.fileName()));
        QVERIFY(QFile::exists(fresh.fileName()));
        QCOMPARE(store.usedBytes(), 5);
    }
};

QTEST_GUILESS_MAIN(TestFileStore)
#include "tst_filestore.moc"
