// Files in the chat window (issue #8), against a real room on 127.0.0.1: sharing by the
// path the button and menu use, by pasting (files and a screenshot) and by dropping; the
// transfer panel's progress bar and Cancel; the file card in the conversation; an image's
// thumbnail and the full picture; saving to the download folder under a safe name, asking
// before replacing (Replace / Keep both / Cancel); a file shared in a private tab goes to
// that partner only.

#include "app/core/chatclient.h"
#include "app/core/filetransfer.h"
#include "app/ui/chatwindow.h"
#include "app/ui/filesharing.h"
#include "app/ui/messagedelegate.h"
#include "app/ui/messageinput.h"
#include "app/ui/messageview.h"
#include "app/ui/settings.h"
#include "common/messagemodel.h"
#include "server/roomserver.h"

#include <QApplication>
#include <QClipboard>
#include <QCryptographicHash>
#include <QDialog>
#include <QDropEvent>
#include <QLabel>
#include <QMimeData>
#include <QProgressBar>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

using Overwrite = FileSharing::Overwrite;

class TestFileSharing final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void sharedFileArrivesAsACard();
    void progressBarAndCancel();
    void pastingAndDroppingShareFiles();
    void imageShowsAThumbnailAndOpensFullSize();
    void savesUnderASafeNameAndAsksBeforeReplacing();
    void fileInAPrivateTabGoesToThatPartnerOnly();
    void downloadFolderComesFromTheSettings();

private:
    struct Member
    {
        std::unique_ptr<ChatClient> client;
        std::unique_ptr<ChatWindow> window;
    };
    Member join(const QString &nick);
    QString writeFile(const QString &name, const QByteArray &bytes);
    static QByteArray randomBytes(qsizetype size);
    // The row of the model holding a file message named `name`, or -1.
    static int fileRow(const MessageModel *model, const QString &name);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<RoomServer> m_server;
};

void TestFileSharing::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QDir(m_dir->path()).mkpath(QStringLiteral("data"));
    QDir(m_dir->path()).mkpath(QStringLiteral("out"));
    QDir(m_dir->path()).mkpath(QStringLiteral("in"));
    ServerConfig config;
    config.bindAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.roomName = QStringLiteral("Files");
    config.dataDir = m_dir->filePath(QStringLiteral("data"));
    config.maxFileSize = 64 * 1024 * 1024;
    m_server = std::make_unique<RoomServer>(config);
    QVERIFY(m_server->start());
}

void TestFileSharing::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

TestFileSharing::Member TestFileSharing::join(const QString &nick)
{
    Member m;
    m.client = std::make_unique<ChatClient>();
    m.window = std::make_unique<ChatWindow>(m.client.get());
    m.window->files()->setDownloadDirectory(m_dir->filePath(QStringLiteral("in")));
    m.client->open(m_server->url(), nick);
    return m;
}

QString TestFileSharing::writeFile(const QString &name, const QByteArray &bytes)
{
    const QString path = QDir(m_dir->filePath(QStringLiteral("out"))).filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return path;
}

QByteArray TestFileSharing::randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          size / qsizetype(sizeof(quint32)));
    return bytes;
}

int TestFileSharing::fileRow(const MessageModel *model, const QString &name)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        const QVariantMap file = model->index(row).data(MessageModel::FileRole).toMap();
        if (file.value(QStringLiteral("name")).toString() == name)
            return row;
    }
    return -1;
}

void TestFileSharing::sharedFileArrivesAsACard()
{
    Member alice = join(QStringLiteral("alice"));
    Member bob = join(QStringLiteral("bob"));
    QTRY_COMPARE(alice.client->state(), ChatClient::State::Joined);
    QTRY_COMPARE(bob.client->state(), ChatClient::State::Joined);
    auto *attach = alice.window->findChild<QToolButton *>(QStringLiteral("attach"));
    QVERIFY(attach);
    QVERIFY(attach->isEnabled());

    const QByteArray bytes = randomBytes(300 * 1024);
    const QString path = writeFile(QStringLiteral("notes.bin"), bytes);
    QVERIFY(!path.isEmpty());
    alice.window->sendFiles({ path });
    QCOMPARE(alice.window->files()->panelIds().size(), 1); // shown at once

    QTRY_VERIFY(fileRow(bob.client->messages(), QStringLiteral("notes.bin")) >= 0);
    QTRY_VERIFY(alice.window->files()->panelIds().isEmpty()); // gone when done
    const QModelIndex index = bob.client->messages()->index(fileRow(bob.client->messages(),
                                                                    QStringLiteral("notes.bin")));
    const QVariantMap file = index.data(MessageModel::FileRole).toMap();
    QCOMPARE(file.value(QStringLiteral("size")).toLongLong(), bytes.size());
    QCOMPARE(file.value(QStringLiteral("sha256")).toString(),
             QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
    QVERIFY(!FileSharing::isImage(file));
    QCOMPARE(MessageDelegate::fileText(index),
             QStringLiteral("notes.bin — %1 · %2")
                 .arg(QLocale().formattedDataSize(bytes.size()),
                      file.value(QStringLiteral("mime")).toString()));

    // The card is part of the row, and a click on it is reported.
    MessageView *view = bob.window->messageView();
    bob.window->show();
    view->scrollToBottom();
    QTRY_VERIFY(view->visualRect(view->model()->index(view->model()->rowCount() - 1, 0)).isValid());
    const QModelIndex viewIndex = view->model()->index(view->model()->rowCount() - 1, 0);
    QCOMPARE(viewIndex.data(MessageModel::FileRole).toMap().value(QStringLiteral("name")).toString(),
             QStringLiteral("notes.bin"));
    const QRect rowRect = view->visualRect(viewIndex);
    QStyleOptionViewItem option;
    option.initFrom(view->viewport());
    option.rect = rowRect;
    option.widget = view;
    const QRect card = view->messageDelegate()->fileRect(option, viewIndex);
    QVERIFY(!card.isEmpty());
    QVERIFY(rowRect.contains(card));
    QVERIFY(view->isOnFile(card.center()));
    QSignalSpy clicks(view, &MessageView::fileClicked);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, card.center());
    QCOMPARE(clicks.size(), 1);
    // A non-image is saved by that click: in the download folder, the same bytes.
    QSignalSpy saved(bob.window->files(), &FileSharing::saved);
    QTRY_COMPARE(saved.size(), 1);
    QFile out(saved.at(0).at(1).toString());
    QCOMPARE(QFileInfo(out).absolutePath(), QFileInfo(m_dir->filePath(QStringLiteral("in"))).absoluteFilePath());
    QVERIFY(out.open(QIODevice::ReadOnly));
    QCOMPARE(out.readAll(), bytes);
}

void TestFileSharing::progressBarAndCancel()
{
    Member alice = join(QStringLiteral("alice"));
    Member bob = join(QStringLiteral("bob"));
    QTRY_COMPARE(alice.client->state(), ChatClient::State::Joined);
    QTRY_COMPARE(bob.client->state(), ChatClient::State::Joined);
    FileSharing *files = alice.window->files();

    // Progress: the bar follows what the room has confirmed.
    const QString big = writeFile(QStringLiteral("big.bin"), randomBytes(6 * 1024 * 1024));
    int highest = 0;
    QObject scope;
    connect(files->transfer(), &FileTransfer::uploadProgress, &scope, [&](const QString &id) {
        if (auto *row = files->panel()->findChild<QWidget *>(QStringLiteral("transfer:") + id)) {
            if (auto *bar = row->findChild<QProgressBar *>())
                highest = qMax(highest, bar->value());
        }
    });
    const QString id = files->sendFile(big);
    QVERIFY(!id.isEmpty());
    QVERIFY(files->panel()->findChild<QWidget *>(QStringLiteral("transfer:") + id));
    QTRY_VERIFY(fileRow(bob.client->messages(), QStringLiteral("big.bin")) >= 0);
    QVERIFY2(highest > 0 && highest <= 1000, qPrintable(QString::number(highest)));

    // Cancel: the row goes, the upload stops, and nothing reaches the room.
    files->transfer()->setWindowBytes(32 * 1024); // slow enough to catch under way
    const QString second = writeFile(QStringLiteral("cancelled.bin"), randomBytes(8 * 1024 * 1024));
    const QString secondId = files->sendFile(second);
    QVERIFY(!secondId.isEmpty());
    auto *row = files->panel()->findChild<QWidget *>(QStringLiteral("transfer:") + secondId);
    QVERIFY(row);
    auto *cancel = row->findChild<QToolButton *>(QStringLiteral("cancelTransfer"));
    QVERIFY(cancel);
    cancel->click();
    QVERIFY(!files->panelIds().contains(secondId));
    QVERIFY(!files->transfer()->isActive(secondId));
    // Something sent after the cancel arrives; the cancelled file never does.
    alice.client->sendMessage(QStringLiteral("after the cancel"));
    QTRY_VERIFY(bob.client->messages()->rowCount() > 0
                && bob.client->messages()
                           ->index(bob.client->messages()->rowCount() - 1)
                           .data(MessageModel::TextRole)
                           .toString()
                       == QStringLiteral("after the cancel"));
    QCOMPARE(fileRow(bob.client->messages(), QStringLiteral("cancelled.bin")), -1);
    QCOMPARE(fileRow(alice.client->messages(), QStringLiteral("cancelled.bin")), -1);
}

void TestFileSharing::pastingAndDroppingShareFiles()
{
    Member alice = join(QStringLiteral("alice"));
    Member bob = join(QStringLiteral("bob"));
    QTRY_COMPARE(alice.client->state(), ChatClient::State::Joined);
    QTRY_COMPARE(bob.client->state(), ChatClient::State::Joined);
    MessageInput *input = alice.window->input();

    // A screenshot on the clipboard: pasted into the input, it is shared as a PNG.
    QImage shot(64, 48, QImage::Format_RGB32);
    shot.fill(Qt::darkCyan);
    auto *imageData = new QMimeData;
    imageData->setImageData(shot);
    QApplication::clipboard()->setMimeData(imageData);
    input->paste();
    QVERIFY(input->toPlainText().isEmpty());
    QTRY_VERIFY(bob.client->messages()->rowCount() > 0);
    QTRY_VERIFY([&] {
        const MessageModel *m = bob.client->messages();
        for (int row = 0; row < m->rowCount(); ++row) {
            const QVariantMap f = m->index(row).data(MessageModel::FileRole).toMap();
            if (f.value(QStringLiteral("name")).toString().startsWith(QStringLiteral("Pasted image "))
                && f.value(QStringLiteral("mime")).toString() == QStringLiteral("image/png"))
                return true;
        }
        return false;
    }());

    // Files copied in a file manager: shared, their names not pasted as text.
    const QString copied = writeFile(QStringLiteral("copied.txt"), "copied bytes\n");
    auto *urlData = new QMimeData;
    urlData->setUrls({ QUrl::fromLocalFile(copied) });
    urlData->setText(QUrl::fromLocalFile(copied).toString());
    QApplication::clipboard()->setMimeData(urlData);
    input->paste();
    QVERIFY(input->toPlainText().isEmpty());
    QTRY_VERIFY(fileRow(bob.client->messages(), QStringLiteral("copied.txt")) >= 0);

    // Text is still pasted as text.
    QApplication::clipboard()->setText(QStringLiteral("just words"));
    input->paste();
    QCOMPARE(input->toPlainText(), QStringLiteral("just words"));
    input->clear();

    // Dropped on the window.
    const QString dropped = writeFile(QStringLiteral("dropped.txt"), "dropped bytes\n");
    QMimeData dropData;
    dropData.setUrls({ QUrl::fromLocalFile(dropped) });
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &dropData, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(alice.window.get(), &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &dropData, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(alice.window.get(), &drop);
    QVERIFY(drop.isAccepted());
    QTRY_VERIFY(fileRow(bob.client->messages(), QStringLiteral("dropped.txt")) >= 0);
}

void TestFileSharing::imageShowsAThumbnailAndOpensFullSize()
{
    Member alice = join(QStringLiteral("alice"));
    Member bob = join(QStringLiteral("bob"));
    QTRY_COMPARE(alice.client->state(), ChatClient::State::Joined);
    QTRY_COMPARE(bob.client->state(), ChatClient::State::Joined);

    QImage picture(800, 600, QImage::Format_RGB32);
    picture.fill(Qt::red);
    const QString path = QDir(m_dir->filePath(QStringLiteral("out"))).filePath(QStringLiteral("photo.png"));
    QVERIFY(picture.save(path, "PNG"));
    alice.window->sendFiles({ path });
    QTRY_VERIFY(fileRow(bob.client->messages(), QStringLiteral("photo.png")) >= 0);
    const QModelIndex index =
        bob.client->messages()->index(fileRow(bob.client->messages(), QStringLiteral("photo.png")));
    const QVariantMap file = index.data(MessageModel::FileRole).toMap();
    QVERIFY(FileSharing::isImage(file));

    // Painting the row asks for the thumbnail; it comes, fitted into the thumbnail box.
    FileSharing *files = bob.window->files();
    QSignalSpy ready(files, &FileSharing::thumbnailReady);
    bob.window->show();
    bob.window->messageView()->scrollToBottom();
    bob.window->messageView()->viewport()->grab();
    QTRY_VERIFY(!ready.isEmpty());
    const QImage thumb = files->thumbnail(file);
    QVERIFY(!thumb.isNull());
    QCOMPARE(thumb.size(), QSize(240, 180)); // 800 × 600 scaled into 320 × 180
    QCOMPARE(thumb.pixelColor(10, 10), QColor(Qt::red));

    // A click opens the whole picture.
    bob.window->activateFile(index);
    QTRY_VERIFY(files->imageWindow());
    auto *full = files->imageWindow()->findChild<QLabel *>(QStringLiteral("fullImage"));
    QVERIFY(full);
    QCOMPARE(full->pixmap().size(), QSize(800, 600));

    // Saving it copies what was fetched: the same bytes, no second download.
    QSignalSpy saved(files, &FileSharing::saved);
    QVERIFY(files->save(FileSharing::fileInfo(file)));
    QCOMPARE(saved.size(), 1); // at once
    QFile original(path);
    QFile copy(saved.at(0).at(1).toString());
    QVERIFY(original.open(QIODevice::ReadOnly) && copy.open(QIODevice::ReadOnly));
    QCOMPARE(copy.readAll(), original.readAll());
}

void TestFileSharing::savesUnderASafeNameAndAsksBeforeReplacing()
{
    Member alice = join(QStringLiteral("alice"));
    Member bob = join(QStringLiteral("bob"));
    QTRY_COMPARE(alice.client->state(), ChatClient::State::Joined);
    QTRY_COMPARE(bob.client->state(), ChatClient::State::Joined);
    const QString in = m_dir->filePath(QStringLiteral("in"));

    // A name that tries to climb out of the folder (legal on Linux: backslashes and dots).
    const QByteArray bytes = "shared contents\n";
    const QString sneaky = writeFile(QStringLiteral("..\\..\\.bashrc"), bytes);
    QVERIFY(!sneaky.isEmpty());
    alice.window->sendFiles({ sneaky });
    QTRY_VERIFY(bob.client->messages()->rowCount() > 0);
    int row = -1;
    QTRY_VERIFY([&] {
        const MessageModel *m = bob.client->messages();
        for (int r = 0; r < m->rowCount(); ++r) {
            if (!m->index(r).data(MessageModel::FileRole).toMap().isEmpty())
                row = r;
        }
        return row >= 0;
    }());
    const Confab::Protocol::FileInfo file = FileSharing::fileInfo(
        bob.client->messages()->index(row).data(MessageModel::FileRole).toMap());

    FileSharing *files = bob.window->files();
    QStringList asked;
    Overwrite answer = Overwrite::Cancel;
    files->setOverwriteQuestion([&](const QString &path) {
        asked.append(path);
        return answer;
    });
    QSignalSpy saved(files, &FileSharing::saved);
    QVERIFY(files->save(file));
    QTRY_COMPARE(saved.size(), 1);
    const QString first = saved.at(0).at(1).toString();
    const QFileInfo firstInfo(first);
    QCOMPARE(firstInfo.absolutePath(), QFileInfo(in).absoluteFilePath());
    QVERIFY(!firstInfo.fileName().contains(QLatin1Char('/')));
    QVERIFY(!firstInfo.fileName().contains(QLatin1Char('\\')));
    QVERIFY(!firstInfo.fileName().startsWith(QLatin1Char('.')));
    QVERIFY(asked.isEmpty()); // nothing was there

    // There now: Cancel saves nothing.
    QVERIFY(!files->save(file));
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked.at(0), first);
    QCOMPARE(QDir(in).entryList(QDir::Files | QDir::Hidden).size(), 1);

    // Keep both: a second file next to it, the first untouched.
    answer = Overwrite::KeepBoth;
    {
        QFile mine(first);
        QVERIFY(mine.open(QIODevice::WriteOnly));
        mine.write("the user's own edits\n");
    }
    QVERIFY(files->save(file));
    QTRY_COMPARE(saved.size(), 2);
    const QString second = saved.at(1).at(1).toString();
    QVERIFY(second != first);
    QCOMPARE(QFileInfo(second).absolutePath(), QFileInfo(in).absoluteFilePath());
    QFile kept(first);
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), QByteArray("the user's own edits\n"));

    // Replace: the same name, the shared bytes.
    answer = Overwrite::Replace;
    QVERIFY(files->save(file));
    QTRY_COMPARE(saved.size(), 3);
    QCOMPARE(saved.at(2).at(1).toString(), first);
    QFile replaced(first);
    QVERIFY(replaced.open(QIODevice::ReadOnly));
    QCOMPARE(replaced.readAll(), bytes);
    QCOMPARE(asked.size(), 3);
    // No partial files are left behind.
    QCOMPARE(QDir(in).entryList(QDir::Files | QDir::Hidden).size(), 2);
}

void TestFileSharing::fileInAPrivateTabGoesToThatPartnerOnly()
{
    Member alice = join(QStringLiteral("alice"));
    Member bob = join(QStringLiteral("bob"));
    Member carol = join(QStringLiteral("carol"));
    QTRY_COMPARE(alice.client->state(), ChatClient::State::Joined);
    QTRY_COMPARE(bob.client->state(), ChatClient::State::Joined);
    QTRY_COMPARE(carol.client->state(), ChatClient::State::Joined);

    alice.window->openConversation(QStringLiteral("bob"));
    QCOMPARE(alice.window->currentPartner(), QStringLiteral("bob"));
    alice.window->sendFiles({ writeFile(QStringLiteral("for-bob.txt"), "private\n") });
    QTRY_VERIFY(fileRow(bob.client->messages(), QStringLiteral("for-bob.txt")) >= 0);
    const QModelIndex index =
        bob.client->messages()->index(fileRow(bob.client->messages(), QStringLiteral("for-bob.txt")));
    QCOMPARE(index.data(MessageModel::ToRole).toString(), QStringLiteral("bob"));
    QVERIFY(bob.window->conversationView(QStringLiteral("alice")));

    // Carol sees the room's next message, never the file.
    alice.window->openConversation(QString());
    alice.client->sendMessage(QStringLiteral("to everyone"));
    QTRY_VERIFY(carol.client->messages()->rowCount() > 0
                && carol.client->messages()
                           ->index(carol.client->messages()->rowCount() - 1)
                           .data(MessageModel::TextRole)
                           .toString()
                       == QStringLiteral("to everyone"));
    QCOMPARE(fileRow(carol.client->messages(), QStringLiteral("for-bob.txt")), -1);
}

void TestFileSharing::downloadFolderComesFromTheSettings()
{
    const QString ini = m_dir->filePath(QStringLiteral("settings.ini"));
    Settings settings(ini);
    QCOMPARE(settings.downloadDirectory(), Settings::defaultDownloadDirectory());
    const QString chosen = m_dir->filePath(QStringLiteral("chosen"));
    settings.setDownloadDirectory(chosen);
    QCOMPARE(Settings(ini).downloadDirectory(), chosen);

    ChatClient client;
    ChatWindow window(&client);
    window.setSettings(&settings);
    QCOMPARE(window.files()->downloadDirectory(), chosen);
    settings.setDownloadDirectory(QString()); // back to the default
    QCOMPARE(window.files()->downloadDirectory(), Settings::defaultDownloadDirectory());
}

QTEST_MAIN(TestFileSharing)
#include "tst_filesharing.moc"
