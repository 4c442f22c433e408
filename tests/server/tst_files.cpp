// Files end to end (issue #8): a RoomServer on loopback, ChatClient + FileTransfer on both
// sides, and a raw TestClient where the test must say exactly what goes on the wire.

#include "app/core/chatclient.h"
#include "app/core/filetransfer.h"
#include "common/filechunk.h"
#include "common/messagemodel.h"
#include "server/filestore.h"
#include "server/room.h"
#include "server/serveroptions.h"
#include "serverfixture.h"
#include "testclient.h"

#include <QCommandLineParser>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QTest>

using namespace Confab::Protocol;
namespace Chunk = Confab::FileChunk;

namespace {

QByteArray randomBytes(qint64 size, quint32 seed)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    generator.fillRange(reinterpret_cast<quint32 *>(data.data()), size / 4);
    for (qint64 i = size / 4 * 4; i < size; ++i)
        data[i] = char(generator.generate());
    return data;
}

QString writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
        return {};
    return path;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString hexOf(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

// A member with the client core: ChatClient plus FileTransfer.
struct Peer
{
    ChatClient client;
    FileTransfer files { &client };

    bool join(const QUrl &url, const QString &nick)
    {
        client.setBackoff(Backoff(20, 100, 1));
        QSignalSpy joined(&client, &ChatClient::joined);
        client.open(url, nick);
        return joined.wait(5000);
    }
    // The attachment of the newest chat message that has one.
    FileInfo lastFile() const
    {
        MessageModel *m = client.messages();
        for (int row = m->rowCount() - 1; row >= 0; --row) {
            const QVariantMap map = m->index(row).data(MessageModel::FileRole).toMap();
            if (!map.isEmpty())
                return FileInfo { map.value(QStringLiteral("id")).toString(),
                                  map.value(QStringLiteral("name")).toString(),
                                  map.value(QStringLiteral("size")).toLongLong(),
                                  map.value(QStringLiteral("mime")).toString(),
                                  map.value(QStringLiteral("sha256")).toString() };
        }
        return {};
    }
};

int storedFiles(const ServerFixture &server)
{
    return int(QDir(server.dir.filePath(QStringLiteral("files"))).entryList(QDir::Files).size());
}

int partialFiles(const ServerFixture &server)
{
    return int(QDir(server.dir.filePath(QStringLiteral("files/partial"))).entryList(QDir::Files).size());
}

QByteArray fileStart(const QString &uploadId, const QString &name, qint64 size, const QString &sha,
                     const QString &to = {})
{
    return Confab::Codec::encode(ClientMessage(FileStart { uploadId, name, size,
                                                           QStringLiteral("text/plain"), sha, to }));
}

} // namespace

class TestFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void uploadsAndDownloadsFiftyMegabytes()
    {
        ServerFixture server;
        QVERIFY(server.start());
        Peer alice, bob;
        QVERIFY(alice.join(server.url(), QStringLiteral("alice")));
        QVERIFY(bob.join(server.url(), QStringLiteral("bob")));
        QTemporaryDir work;
        const QByteArray data = randomBytes(50 * 1024 * 1024, 8);
        const QString path = writeFile(work.filePath(QStringLiteral("big.bin")), data);
        QVERIFY(!path.isEmpty());

        QSignalSpy finished(&alice.files, &FileTransfer::uploadFinished);
        QSignalSpy failed(&alice.files, &FileTransfer::failed);
        QSignalSpy progress(&alice.files, &FileTransfer::uploadProgress);
        const QString uploadId = alice.files.upload(path);
        QVERIFY(!uploadId.isEmpty());
        // upload() returned without reading 50 MiB: the hash is made on a worker thread,
        // and its result can only arrive through the event loop.
        QVERIFY(alice.files.isHashing(uploadId));
        QTRY_VERIFY_WITH_TIMEOUT(finished.size() + failed.size() > 0, 120000);
        QCOMPARE(failed.size(), 0);
        QCOMPARE(finished.size(), 1);
        QVERIFY(progress.size() > 10); // every 256 KiB
        QCOMPARE(progress.last().at(1).toLongLong(), data.size());

        // Bob sees the attachment and fetches it.
        QTRY_VERIFY(!bob.lastFile().isEmpty());
        const FileInfo info = bob.lastFile();
        QCOMPARE(info.id, finished.first().at(1).toString());
        QCOMPARE(info.name, QStringLiteral("big.bin"));
        QCOMPARE(info.size, data.size());
        QCOMPARE(info.sha256, hexOf(data));
        QTemporaryDir downloads;
        QSignalSpy saved(&bob.files, &FileTransfer::downloadFinished);
        bob.files.download(info, downloads.path());
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 120000);
        const QString savedPath = saved.first().at(1).toString();
        QCOMPARE(QFileInfo(savedPath).dir().absolutePath(), QDir(downloads.path()).absolutePath());
        QCOMPARE(QFileInfo(savedPath).fileName(), QStringLiteral("big.bin"));
        QVERIFY(readFile(savedPath) == data);
        // No temporary left behind.
        QCOMPARE(QDir(downloads.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }

    void resumesAnUploadAfterTheConnectionIsCut()
    {
        ServerFixture server;
        QVERIFY(server.start());
        Peer alice, bob;
        QVERIFY(alice.join(server.url(), QStringLiteral("alice")));
        QVERIFY(bob.join(server.url(), QStringLiteral("bob")));
        QTemporaryDir work;
        const QByteArray data = randomBytes(8 * 1024 * 1024, 9);
        const QString path = writeFile(work.filePath(QStringLiteral("half.bin")), data);

        QSignalSpy ready(&alice.client, &ChatClient::fileReady);
        QSignalSpy finished(&alice.files, &FileTransfer::uploadFinished);
        QSignalSpy failed(&alice.files, &FileTransfer::failed);
        bool cut = false;
        connect(&alice.files, &FileTransfer::uploadProgress, this,
                [&](const QString &, qint64 sent, qint64 total) {
                    if (!cut && sent >= total / 2) {
                        cut = true;
                        alice.client.abortConnection();
                    }
                });
        alice.files.upload(path);
        QTRY_VERIFY_WITH_TIMEOUT(cut, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(finished.size() + failed.size() > 0, 60000);
        QCOMPARE(failed.size(), 0);
        QVERIFY(ready.size() >= 2);
        // The second announcement went on from what the server held, not from zero.
        const qint64 resumedAt = ready.at(1).at(1).toLongLong();
        QVERIFY2(resumedAt >= data.size() / 2, qPrintable(QString::number(resumedAt)));
        QVERIFY(resumedAt < data.size());
        const QString fileId = finished.first().at(1).toString();
        QVERIFY(readFile(server.dir.filePath(QStringLiteral("files/") + fileId)) == data);
        QCOMPARE(partialFiles(server), 0);

        // And it downloads as it was.
        QTRY_VERIFY(!bob.lastFile().isEmpty());
        QTemporaryDir downloads;
        QSignalSpy saved(&bob.files, &FileTransfer::downloadFinished);
        bob.files.download(bob.lastFile(), downloads.path());
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 60000);
        QVERIFY(readFile(saved.first().at(1).toString()) == data);
    }

    void resumesADownloadAfterTheConnectionIsCut()
    {
        ServerFixture server;
        QVERIFY(server.start());
        Peer alice, bob;
        QVERIFY(alice.join(server.url(), QStringLiteral("alice")));
        QVERIFY(bob.join(server.url(), QStringLiteral("bob")));
        QTemporaryDir work;
        const QByteArray data = randomBytes(8 * 1024 * 1024, 10);
        QSignalSpy finished(&alice.files, &FileTransfer::uploadFinished);
        alice.files.upload(writeFile(work.filePath(QStringLiteral("down.bin")), data));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        QTRY_VERIFY(!bob.lastFile().isEmpty());

        bool cut = false;
        qint64 receivedAtCut = 0;
        connect(&bob.files, &FileTransfer::downloadProgress, this,
                [&](const QString &, qint64 received, qint64 total) {
                    if (!cut && received >= total / 2) {
                        cut = true;
                        receivedAtCut = received;
                        bob.client.abortConnection();
                    }
                });
        QSignalSpy joined(&bob.client, &ChatClient::joined);
        QSignalSpy progress(&bob.files, &FileTransfer::downloadProgress);
        QSignalSpy saved(&bob.files, &FileTransfer::downloadFinished);
        QSignalSpy failed(&bob.files, &FileTransfer::failed);
        QTemporaryDir downloads;
        bob.files.download(bob.lastFile(), downloads.path());
        QTRY_VERIFY_WITH_TIMEOUT(saved.size() + failed.size() > 0, 60000);
        QCOMPARE(failed.size(), 0);
        QVERIFY(cut);
        QCOMPARE(joined.size(), 1); // it rejoined once, and went on from there
        // No byte came twice: progress only ever grew, and past the cut it went on from there.
        for (qsizetype i = 1; i < progress.size(); ++i)
            QVERIFY2(progress.at(i).at(1).toLongLong() > progress.at(i - 1).at(1).toLongLong(), qPrintable(QStringLiteral("%1: %2 after %3, cut at %4").arg(i).arg(progress.at(i).at(1).toLongLong()).arg(progress.at(i - 1).at(1).toLongLong()).arg(receivedAtCut)));
        QVERIFY(receivedAtCut < data.size());
        QVERIFY(readFile(saved.first().at(1).toString()) == data);
        QCOMPARE(QDir(downloads.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }

    void refusesAFileOverTheCapBeforeAnyData()
    {
        ServerConfig config;
        config.maxFileSize = 1000;
        ServerFixture server;
        QVERIFY(server.start(config));
        Peer alice;
        QVERIFY(alice.join(server.url(), QStringLiteral("alice")));
        QTemporaryDir work;
        const QString path = writeFile(work.filePath(QStringLiteral("x.bin")), randomBytes(1001, 1));
        QSignalSpy ready(&alice.client, &ChatClient::fileReady);
        QSignalSpy failed(&alice.files, &FileTransfer::failed);
        alice.files.upload(path);
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(1).toString(), QStringLiteral("file-too-big"));
        QCOMPARE(ready.size(), 0);
        QCOMPARE(partialFiles(server), 0);
    }

    void refusesAFileOverTheStorageCap()
    {
        ServerConfig config;
        config.maxStorage = 10000;
        ServerFixture server;
        QVERIFY(server.start(config));
        Peer alice;
        QVERIFY(alice.join(server.url(), QStringLiteral("alice")));
        QTemporaryDir work;
        QSignalSpy finished(&alice.files, &FileTransfer::uploadFinished);
        QSignalSpy failed(&alice.files, &FileTransfer::failed);
        alice.files.upload(writeFile(work.filePath(QStringLiteral("a.bin")), randomBytes(6000, 2)));
        QTRY_COMPARE(finished.size(), 1);
        alice.files.upload(writeFile(work.filePath(QStringLiteral("b.bin")), randomBytes(6000, 3)));
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(1).toString(), QStringLiteral("storage-full"));
        QCOMPARE(storedFiles(server), 1);

        // Counted again after a restart, from what is on disk.
        server.server.reset();
        QVERIFY(server.start(config));
        Peer again;
        QVERIFY(again.join(server.url(), QStringLiteral("alice")));
        QSignalSpy failedAgain(&again.files, &FileTransfer::failed);
        again.files.upload(work.filePath(QStringLiteral("b.bin")));
        QTRY_COMPARE(failedAgain.size(), 1);
        QCOMPARE(failedAgain.first().at(1).toString(), QStringLiteral("storage-full"));
    }

    void savesUnsafeNamesSafely()
    {
        QCOMPARE(FileTransfer::safeFileName(QStringLiteral("../../.bashrc")), QStringLiteral("_.._.bashrc"));
        QCOMPARE(FileTransfer::safeFileName(QStringLiteral("a/b\\c")), QStringLiteral("a_b_c"));
        QCOMPARE(FileTransfer::safeFileName(QStringLiteral("..")), QStringLiteral("file"));
        QCOMPARE(FileTransfer::safeFileName(QStringLiteral("")), QStringLiteral("file"));
        QCOMPARE(FileTransfer::safeFileName(QStringLiteral(".hidden")), QStringLiteral("hidden"));
        QCOMPARE(FileTransfer::safeFileName(QStringLiteral("a\u0001b\nc\u202Ed.txt")), QStringLiteral("abcd.txt"));
        const QString longName = QString(300, QLatin1Char('n')) + QStringLiteral(".txt");
        const QString shortened = FileTransfer::safeFileName(longName);
        QVERIFY(shortened.toUtf8().size() <= 240);
        QVERIFY(shortened.endsWith(QStringLiteral(".txt")));

        ServerFixture server;
        QVERIFY(server.start());
        TestClient raw;
        QVERIFY(!raw.join(server.url(), QStringLiteral("mallory")).isEmpty());
        Peer bob;
        QVERIFY(bob.join(server.url(), QStringLiteral("bob")));

        QTemporaryDir root;
        const QString downloads = root.filePath(QStringLiteral("inbox"));
        QVERIFY(QDir().mkpath(downloads));
        const QStringList names = { QStringLiteral("../../.bashrc"), QStringLiteral("a/b\\c"),
                                    QStringLiteral("report.txt"), QStringLiteral("report.txt") };
        writeFile(downloads + QStringLiteral("/report.txt"), "keep me");
        QStringList savedNames;
        int n = 0;
        for (const QString &name : names) {
            const QByteArray data = "content " + QByteArray::number(n);
            const QString uploadId = QStringLiteral("unsafe-name-%1").arg(n++);
            raw.sendJson(fileStart(uploadId, name, data.size(), hexOf(data)));
            QVERIFY(!raw.waitFor(QStringLiteral("fileReady")).isEmpty());
            raw.socket.sendBinaryMessage(Chunk::encode(Chunk::Kind::Upload, 0, uploadId, data));
            const QJsonObject done = raw.waitFor(QStringLiteral("fileDone"));
            QVERIFY(!done.isEmpty());
            const QString fileId = done.value(QLatin1String("fileId")).toString();
            QTRY_COMPARE(bob.lastFile().id, fileId);
            // The server shows the name without separators; the client must not trust even
            // that, so it is handed the raw name here as a hostile server would send it.
            FileInfo info = bob.lastFile();
            QVERIFY(!info.name.contains(QLatin1Char('/')));
            QVERIFY(!info.name.contains(QLatin1Char('\\')));
            info.name = name;
            QSignalSpy saved(&bob.files, &FileTransfer::downloadFinished);
            bob.files.download(info, downloads);
            QTRY_COMPARE(saved.size(), 1);
            const QFileInfo savedFile(saved.first().at(1).toString());
            QCOMPARE(savedFile.dir().canonicalPath(), QDir(downloads).canonicalPath());
            QVERIFY(!savedFile.fileName().startsWith(QLatin1Char('.')));
            QCOMPARE(readFile(savedFile.filePath()), data);
            savedNames.append(savedFile.fileName());
        }
        QCOMPARE(savedNames, (QStringList { QStringLiteral("_.._.bashrc"), QStringLiteral("a_b_c"),
                                            QStringLiteral("report (1).txt"),
                                            QStringLiteral("report (2).txt") }));
        QCOMPARE(readFile(downloads + QStringLiteral("/report.txt")), QByteArray("keep me"));
        // Nothing landed outside the destination.
        QCOMPARE(QDir(root.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList { QStringLiteral("inbox") });
    }

    void directFilesReachOnlyTheirParties()
    {
        ServerFixture server;
        QVERIFY(server.start());
        Peer alice, bob, carol;
        QVERIFY(alice.join(server.url(), QStringLiteral("alice")));
        QVERIFY(bob.join(server.url(), QStringLiteral("bob")));
        QVERIFY(carol.join(server.url(), QStringLiteral("carol")));
        QTemporaryDir work;
        const QByteArray data = randomBytes(100000, 4);
        QSignalSpy finished(&alice.files, &FileTransfer::uploadFinished);
        alice.files.upload(writeFile(work.filePath(QStringLiteral("secret.bin")), data),
                           QStringLiteral("bob"));
        QTRY_COMPARE(finished.size(), 1);
        QTRY_VERIFY(!bob.lastFile().isEmpty());
        const FileInfo info = bob.lastFile();
        QCOMPARE(alice.lastFile(), info);
        QVERIFY(carol.lastFile().isEmpty()); // carol never saw the message

        // Carol knows the id somehow; the room still says there is no such file.
        QSignalSpy carolFailed(&carol.files, &FileTransfer::failed);
        QTemporaryDir carolDir;
        carol.files.download(info, carolDir.path());
        QTRY_COMPARE(carolFailed.size(), 1);
        QCOMPARE(carolFailed.first().at(1).toString(), QStringLiteral("not-found"));
        QVERIFY(QDir(carolDir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty());

        for (Peer *party : { &alice, &bob }) {
            QTemporaryDir dir;
            QSignalSpy saved(&party->files, &FileTransfer::downloadFinished);
            party->files.download(info, dir.path());
            QTRY_COMPARE(saved.size(), 1);
            QVERIFY(readFile(saved.first().at(1).toString()) == data);
        }
    }

    void refusesACorruptUpload()
    {
        ServerFixture server;
        QVERIFY(server.start());
        TestClient raw, watcher;
        QVERIFY(!raw.join(server.url(), QStringLiteral("mallory")).isEmpty());
        QVERIFY(!watcher.join(server.url(), QStringLiteral("watcher")).isEmpty());
        const QByteArray data = randomBytes(70000, 5);
        const QString uploadId = QStringLiteral("corrupt-upload");
        raw.sendJson(fileStart(uploadId, QStringLiteral("c.bin"), data.size(), hexOf("not this")));
        QVERIFY(!raw.waitFor(QStringLiteral("fileReady")).isEmpty());
        for (qint64 at = 0; at < data.size(); at += 32768)
            raw.socket.sendBinaryMessage(
                Chunk::encode(Chunk::Kind::Upload, at, uploadId, data.mid(at, 32768)));
        const QJsonObject error = raw.waitFor(QStringLiteral("error"));
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("file-corrupt"));
        QCOMPARE(error.value(QLatin1String("uploadId")).toString(), uploadId);
        QCOMPARE(storedFiles(server), 0);
        QCOMPARE(partialFiles(server), 0);
        // Nothing was posted.
        raw.sendJson(R"({"type":"ping","token":"t"})");
        QVERIFY(!raw.waitFor(QStringLiteral("pong")).isEmpty());
        QVERIFY(raw.ofType(QStringLiteral("chat")).isEmpty());
        QVERIFY(raw.ofType(QStringLiteral("fileDone")).isEmpty());
        QVERIFY(watcher.ofType(QStringLiteral("chat")).isEmpty());
    }

    void keepsTheWireRules()
    {
        ServerConfig config;
        config.fileChunkRate = 10;
        config.fileChunkBurst = 4;
        ServerFixture server;
        QVERIFY(server.start(config));
        TestClient raw;
        QVERIFY(!raw.join(server.url(), QStringLiteral("mallory")).isEmpty());
        const auto nextError = [&raw] {
            return raw.waitFor(QStringLiteral("error")).value(QLatin1String("code")).toString();
        };

        // A binary message that is not a chunk.
        raw.socket.sendBinaryMessage(QByteArray("\x07garbage", 8));
        QCOMPARE(nextError(), QStringLiteral("bad-message"));
        // A chunk for no upload.
        raw.socket.sendBinaryMessage(Chunk::encode(Chunk::Kind::Upload, 0, QStringLiteral("nothing-here"), "x"));
        QCOMPARE(nextError(), QStringLiteral("not-found"));
        // Ids that could be paths are not ids.
        raw.sendJson(fileStart(QStringLiteral("../../etc/x"), QStringLiteral("x"), 1, hexOf("x")));
        QCOMPARE(nextError(), QStringLiteral("bad-message"));

        // At most two uploads at once.
        const QByteArray data(200000, 'd');
        raw.sendJson(fileStart(QStringLiteral("upload-one"), QStringLiteral("1"), data.size(), hexOf(data)));
        raw.sendJson(fileStart(QStringLiteral("upload-two"), QStringLiteral("2"), data.size(), hexOf(data)));
        raw.sendJson(fileStart(QStringLiteral("upload-three"), QStringLiteral("3"), data.size(), hexOf(data)));
        QVERIFY(!raw.waitFor(QStringLiteral("fileReady")).isEmpty());
        QVERIFY(!raw.waitFor(QStringLiteral("fileReady")).isEmpty());
        QJsonObject error = raw.waitFor(QStringLiteral("error"));
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("too-many-uploads"));
        QCOMPARE(error.value(QLatin1String("uploadId")).toString(), QStringLiteral("upload-three"));

        // Only the bytes held may come next.
        raw.socket.sendBinaryMessage(Chunk::encode(Chunk::Kind::Upload, 5, QStringLiteral("upload-one"), "x"));
        error = raw.waitFor(QStringLiteral("error"));
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("bad-offset"));
        QCOMPARE(error.value(QLatin1String("offset")).toInteger(), 0);

        // Chunks have their own bucket: a burst of 4 (one spent above), then 10 a second.
        for (int i = 0; i < 6; ++i)
            raw.socket.sendBinaryMessage(Chunk::encode(Chunk::Kind::Upload, i * 1000,
                                                       QStringLiteral("upload-two"),
                                                       data.mid(i * 1000, 1000)));
        error = raw.waitFor(QStringLiteral("error"));
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("rate-limited"));
        QCOMPARE(error.value(QLatin1String("uploadId")).toString(), QStringLiteral("upload-two"));
        QVERIFY(error.value(QLatin1String("retryAfterMs")).toInteger() > 0);
        const qint64 offset = error.value(QLatin1String("offset")).toInteger();
        QVERIFY(offset > 0 && offset < 6000);
        // Chat still has its own allowance meanwhile.
        raw.sendChat(QStringLiteral("c1"), QStringLiteral("still here"));
        QVERIFY(!raw.waitFor(QStringLiteral("ack")).isEmpty());
        QVERIFY(!raw.disconnected);

        // A guest cannot share files.
        TestClient guest;
        QVERIFY(guest.open(server.url(), {}));
        QSignalSpy lines(&guest.socket, &QWebSocket::textMessageReceived);
        guest.socket.sendBinaryMessage(Chunk::encode(Chunk::Kind::Upload, 0, QStringLiteral("guest-upload"), "x"));
        QTRY_VERIFY(std::any_of(lines.cbegin(), lines.cend(), [](const QList<QVariant> &line) {
            return line.at(0).toString().startsWith(QStringLiteral("error: "));
        }));
    }

    void readsTheFileOptions()
    {
        QCommandLineParser parser;
        ServerOptions::addTo(parser);
        QVERIFY(parser.parse({ QStringLiteral("confab"), QStringLiteral("--max-file-size"),
                               QStringLiteral("5000"), QStringLiteral("--max-storage"),
                               QStringLiteral("90000") }));
        const ServerOptions::Parsed parsed = ServerOptions::read(parser);
        QVERIFY(parsed.error.isEmpty());
        QCOMPARE(parsed.config.maxFileSize, 5000);
        QCOMPARE(parsed.config.maxStorage, 90000);
        const ServerConfig defaults;
        QCOMPARE(defaults.maxFileSize, 100LL * 1024 * 1024);
        QCOMPARE(defaults.maxStorage, 2LL * 1024 * 1024 * 1024);
        QCommandLineParser bad;
        ServerOptions::addTo(bad);
        QVERIFY(bad.parse({ QStringLiteral("confab"), QStringLiteral("--max-file-size"),
                            QStringLiteral("-1") }));
        QVERIFY(!ServerOptions::read(bad).error.isEmpty());
    }

    void keepsFilesAcrossARestartAndDropsThemWithTheirMessage()
    {
        ServerFixture server;
        QVERIFY(server.start());
        QTemporaryDir work;
        const QByteArray data = randomBytes(40000, 6);
        QString fileId;
        {
            Peer alice;
            QVERIFY(alice.join(server.url(), QStringLiteral("alice")));
            QSignalSpy finished(&alice.files, &FileTransfer::uploadFinished);
            alice.files.upload(writeFile(work.filePath(QStringLiteral("kept.txt")), data));
            QTRY_COMPARE(finished.size(), 1);
            fileId = finished.first().at(1).toString();
        }
        server.server.reset();
        QVERIFY(server.start());
        Peer alice;
        QVERIFY(alice.join(server.url(), QStringLiteral("alice")));
        const FileInfo info = alice.lastFile(); // from the welcome's history
        QCOMPARE(info.id, fileId);
        QCOMPARE(info.name, QStringLiteral("kept.txt"));
        QCOMPARE(info.size, data.size());
        QCOMPARE(info.sha256, hexOf(data));
        QTemporaryDir downloads;
        QSignalSpy saved(&alice.files, &FileTransfer::downloadFinished);
        alice.files.download(info, downloads.path());
        QTRY_COMPARE(saved.size(), 1);
        QVERIFY(readFile(saved.first().at(1).toString()) == data);

        // Deleting the message deletes the file: it cannot be fetched any more.
        QString messageId;
        for (int row = 0; row < alice.client.messages()->rowCount(); ++row) {
            const QModelIndex index = alice.client.messages()->index(row);
            if (index.data(MessageModel::FileRole).toMap().value(QStringLiteral("id")) == fileId)
                messageId = index.data(MessageModel::IdRole).toString();
        }
        QVERIFY(!messageId.isEmpty());
        alice.client.deleteMessage(messageId);
        QTRY_COMPARE(storedFiles(server), 0);
        QSignalSpy failed(&alice.files, &FileTransfer::failed);
        alice.files.download(info, downloads.path());
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(1).toString(), QStringLiteral("not-found"));
        QTRY_VERIFY(alice.lastFile().isEmpty()); // the update carries no file
    }

    void cancelsAnUpload()
    {
        ServerFixture server;
        QVERIFY(server.start());
        TestClient raw;
        QVERIFY(!raw.join(server.url(), QStringLiteral("mallory")).isEmpty());
        const QByteArray data(100000, 'c');
        raw.sendJson(fileStart(QStringLiteral("to-cancel"), QStringLiteral("c"), data.size(), hexOf(data)));
        QVERIFY(!raw.waitFor(QStringLiteral("fileReady")).isEmpty());
        raw.socket.sendBinaryMessage(Chunk::encode(Chunk::Kind::Upload, 0, QStringLiteral("to-cancel"), data.first(1000)));
        raw.sendJson(R"({"type":"fileCancel","uploadId":"to-cancel"})");
        raw.sendJson(R"({"type":"ping","token":"t"})");
        QVERIFY(!raw.waitFor(QStringLiteral("pong")).isEmpty());
        QCOMPARE(partialFiles(server), 0);
        QCOMPARE(server.server->room()->fileStore()->reservedBytes(), 0);
    }

    void dropsAFileWhenItsMessageLeavesHistory()
    {
        ServerFixture server;
        ServerConfig config;
        config.historyLimit = 3;
        QVERIFY(server.start(config));
        Peer alice;
        QVERIFY(alice.join(server.url(), QStringLiteral("alice")));
        QTemporaryDir work;
        QSignalSpy finished(&alice.files, &FileTransfer::uploadFinished);
        alice.files.upload(writeFile(work.filePath(QStringLiteral("old.bin")), randomBytes(30000, 7)));
        QTRY_COMPARE(finished.size(), 1);
        const FileInfo info = alice.lastFile();
        QCOMPARE(storedFiles(server), 1);
        const qint64 used = server.server->room()->fileStore()->usedBytes();
        QCOMPARE(used, 30000);

        // Two more messages: the file's message is still within the last three.
        QSignalSpy acked(&alice.client, &ChatClient::messageAcked);
        alice.client.sendMessage(QStringLiteral("one"));
        alice.client.sendMessage(QStringLiteral("two"));
        QTRY_COMPARE(acked.size(), 2);
        QCOMPARE(storedFiles(server), 1);
        // The third pushes it out of history, and its bytes go with it.
        alice.client.sendMessage(QStringLiteral("three"));
        QTRY_COMPARE(acked.size(), 3);
        QCOMPARE(storedFiles(server), 0);
        QCOMPARE(server.server->room()->fileStore()->usedBytes(), 0);
        QTemporaryDir downloads;
        QSignalSpy failed(&alice.files, &FileTransfer::failed);
        alice.files.download(info, downloads.path());
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(1).toString(), QStringLiteral("not-found"));
    }

    void capsDownloadsPerConnection()
    {
        ServerFixture server;
        ServerConfig config;
        config.maxDownloadsPerSession = 2;
        QVERIFY(server.start(config));
        Peer alice;
        QVERIFY(alice.join(server.url(), QStringLiteral("alice")));
        QTemporaryDir work;
        QSignalSpy finished(&alice.files, &FileTransfer::uploadFinished);
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            alice.files.upload(writeFile(work.filePath(QStringLiteral("f%1.bin").arg(i)),
                                         randomBytes(4 * 1024 * 1024, 20 + i)));
            QTRY_COMPARE_WITH_TIMEOUT(finished.size(), i + 1, 30000);
            ids.append(finished.last().at(1).toString());
        }
        TestClient raw;
        QVERIFY(!raw.join(server.url(), QStringLiteral("mallory")).isEmpty());
        const auto get = [&](const QString &id) {
            raw.sendJson(QStringLiteral(R"({"fileId":"%1","type":"fileGet"})").arg(id).toUtf8());
        };
        get(ids.at(0));
        get(ids.at(1));
        get(ids.at(0)); // again: a restart of one under way, not a third
        get(ids.at(2));
        const QJsonObject refused = raw.waitFor(QStringLiteral("error"));
        QCOMPARE(refused.value(QStringLiteral("code")).toString(), QStringLiteral("too-many-downloads"));
        QCOMPARE(refused.value(QStringLiteral("fileId")).toString(), ids.at(2));
    }

    void queuesDownloadsBeyondTheRoomsCap()
    {
        ServerFixture server;
        ServerConfig config;
        config.maxDownloadsPerSession = 2;
        QVERIFY(server.start(config));
        Peer alice, bob;
        QVERIFY(alice.join(server.url(), QStringLiteral("alice")));
        QVERIFY(bob.join(server.url(), QStringLiteral("bob")));
        QTemporaryDir work;
        QSignalSpy uploaded(&alice.files, &FileTransfer::uploadFinished);
        QList<FileInfo> infos;
        QList<QByteArray> contents;
        for (int i = 0; i < 5; ++i) {
            contents.append(randomBytes(600 * 1024, 40 + i));
            alice.files.upload(writeFile(work.filePath(QStringLiteral("q%1.bin").arg(i)), contents.last()));
            QTRY_COMPARE(uploaded.size(), i + 1);
            QTRY_COMPARE(bob.lastFile().name, QStringLiteral("q%1.bin").arg(i));
            infos.append(bob.lastFile());
        }
        // Bob asks for three at once, the room takes two: the third waits and comes later,
        // and the other two wait their turn in Bob's queue. Nothing fails.
        bob.files.setMaxDownloads(3);
        QTemporaryDir downloads;
        QSignalSpy saved(&bob.files, &FileTransfer::downloadFinished);
        QSignalSpy failed(&bob.files, &FileTransfer::failed);
        for (const FileInfo &info : infos)
            bob.files.download(info, downloads.path());
        QTRY_COMPARE_WITH_TIMEOUT(saved.size() + failed.size(), 5, 30000);
        QCOMPARE(failed.size(), 0);
        for (int i = 0; i < 5; ++i)
            QVERIFY(readFile(QDir(downloads.path()).filePath(QStringLiteral("q%1.bin").arg(i))) == contents.at(i));
    }

    void cancelsWhileHashing()
    {
        ServerFixture server;
        QVERIFY(server.start());
        Peer alice;
        QVERIFY(alice.join(server.url(), QStringLiteral("alice")));
        QTemporaryDir work;
        const QString path = writeFile(work.filePath(QStringLiteral("gone.bin")), randomBytes(4 * 1024 * 1024, 5));
        QSignalSpy finished(&alice.files, &FileTransfer::uploadFinished);
        QSignalSpy failed(&alice.files, &FileTransfer::failed);
        const QString uploadId = alice.files.upload(path);
        QVERIFY(alice.files.isHashing(uploadId));
        alice.files.cancel(uploadId);
        QVERIFY(!alice.files.isActive(uploadId));
        // The hash that finishes later goes nowhere: nothing is announced or sent.
        QTRY_COMPARE(QThreadPool::globalInstance()->activeThreadCount(), 0);
        QCoreApplication::processEvents();
        QCOMPARE(finished.size() + failed.size(), 0);
        QCOMPARE(partialFiles(server), 0);
    }
};

QTEST_GUILESS_MAIN(TestFiles)
#include "tst_files.moc"
