// Throughput of one file upload and download on loopback: a RoomServer in this process,
// two ChatClient + FileTransfer members, a 100 MiB file. Prints MB/s (median of 3 runs).
// Not asserted anywhere; run it by hand: bench_files [MiB]

#include "app/core/chatclient.h"
#include "app/core/filetransfer.h"
#include "common/messagemodel.h"
#include "server/roomserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

namespace {

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    }
    return true;
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.at(values.size() / 2);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const qint64 mib = argc > 1 ? QByteArray(argv[1]).toLongLong() : 100;
    const qint64 size = mib * 1024 * 1024;
    QTemporaryDir dir;
    ServerConfig config;
    config.bindAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.dataDir = dir.filePath(QStringLiteral("server"));
    config.announce = false;
    config.maxFileSize = size;
    config.maxStorage = 8 * size;
    RoomServer server(config);
    if (!server.start()) {
        std::fprintf(stderr, "server: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator(42).fillRange(reinterpret_cast<quint32 *>(data.data()), size / 4);
    const QString path = dir.filePath(QStringLiteral("payload.bin"));
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(data) != size)
            return 1;
    }
    ChatClient alice, bob;
    FileTransfer aliceFiles(&alice), bobFiles(&bob);
    int joined = 0;
    QObject::connect(&alice, &ChatClient::joined, [&] { ++joined; });
    QObject::connect(&bob, &ChatClient::joined, [&] { ++joined; });
    alice.open(server.url(), QStringLiteral("alice"));
    bob.open(server.url(), QStringLiteral("bob"));
    if (!waitFor([&] { return joined == 2; }, 10000))
        return 1;

    QList<double> up, down;
    for (int run = 0; run < 3; ++run) {
        QString fileId;
        bool failed = false;
        auto c1 = QObject::connect(&aliceFiles, &FileTransfer::uploadFinished,
                                   [&](const QString &, const QString &id, qint64) { fileId = id; });
        auto c2 = QObject::connect(&aliceFiles, &FileTransfer::failed, [&] { failed = true; });
        QElapsedTimer timer;
        timer.start(); // includes hashing the file before it is announced, as a user waits
        aliceFiles.upload(path);
        if (!waitFor([&] { return !fileId.isEmpty() || failed; }, 600000) || failed)
            return 2;
        up.append(size / 1e6 / (timer.nsecsElapsed() / 1e9));
        QObject::disconnect(c1);
        QObject::disconnect(c2);

        Confab::Protocol::FileInfo info;
        if (!waitFor([&] {
                for (int row = bob.messages()->rowCount() - 1; row >= 0; --row) {
                    const QVariantMap m = bob.messages()->index(row).data(MessageModel::FileRole).toMap();
                    if (m.value(QStringLiteral("id")).toString() == fileId) {
                        info = { fileId, m.value(QStringLiteral("name")).toString(),
                                 m.value(QStringLiteral("size")).toLongLong(),
                                 m.value(QStringLiteral("mime")).toString(),
                                 m.value(QStringLiteral("sha256")).toString() };
                        return true;
                    }
                }
                return false;
            }, 10000))
            return 3;
        QTemporaryDir target;
        QString saved;
        auto c3 = QObject::connect(&bobFiles, &FileTransfer::downloadFinished,
                                   [&](const QString &, const QString &p) { saved = p; });
        auto c4 = QObject::connect(&bobFiles, &FileTransfer::failed, [&] { failed = true; });
        timer.restart();
        bobFiles.download(info, target.path());
        if (!waitFor([&] { return !saved.isEmpty() || failed; }, 600000) || failed)
            return 4;
        down.append(size / 1e6 / (timer.nsecsElapsed() / 1e9));
        QObject::disconnect(c3);
        QObject::disconnect(c4);
        std::printf("run %d: upload %.1f MB/s, download %.1f MB/s\n", run + 1, up.last(), down.last());
    }
    std::printf("%lld MiB file on loopback, median of 3: upload %.1f MB/s, download %.1f MB/s\n",
                mib, median(up), median(down));
    return 0;
}
