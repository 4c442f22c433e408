// confab_screenshot: opens the real chat window hosting a room, has a few scripted members
// talk in it (Korean too), and saves the window as a PNG for the README. Run it through
// scripts/screenshot.sh (under Xvfb, with CJK fonts); it is a tool, not a test.

#include "app/core/chatclient.h"
#include "app/core/filetransfer.h"
#include "app/core/lanaddress.h"
#include "app/ui/appcontroller.h"
#include "app/ui/chatwindow.h"
#include "app/ui/filesharing.h"
#include "app/ui/messageinput.h"
#include "common/membermodel.h"
#include "common/messagemodel.h"
#include "server/roomserver.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QLinearGradient>
#include <QPainter>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <functional>
#include <memory>

namespace {

bool waitFor(const std::function<bool()> &done, int timeoutMs = 10000)
{
    return QTest::qWaitFor(done, timeoutMs);
}

int fail(const char *what)
{
    std::fprintf(stderr, "confab_screenshot: %s\n", what);
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-screenshot"));
    if (argc != 2)
        return fail("usage: confab_screenshot OUTPUT.png");
    QStandardPaths::setTestModeEnabled(true); // no settings left behind
    QTemporaryDir dataDir;

    StartOptions options;
    options.mode = StartOptions::Mode::Host;
    options.nick = QStringLiteral("minji");
    options.hostConfig.port = 0;
    options.hostConfig.roomName = QStringLiteral("Design review");
    options.hostConfig.dataDir = dataDir.path();
    AppController controller(options);
    if (!controller.start() || !waitFor([&] { return controller.chatWindow() != nullptr; }))
        return fail("the room did not start");
    ChatWindow *window = controller.chatWindow();
    window->resize(900, 720);
    ChatClient *me = window->client();
    if (!waitFor([&] { return me->state() == ChatClient::State::Joined; }))
        return fail("the window did not join");

    const QUrl url = LanAddress::localUrl(options.hostConfig.bindAddress, controller.server()->port());
    std::vector<std::unique_ptr<ChatClient>> members;
    const auto join = [&](const QString &nick) {
        auto client = std::make_unique<ChatClient>();
        client->open(url, nick);
        waitFor([&] { return client->state() == ChatClient::State::Joined; });
        members.push_back(std::move(client));
        return members.back().get();
    };
    // Says one line and waits until the window shows it delivered, so rows keep this order.
    const auto say = [&](ChatClient *who, const QString &text) {
        if (who == me) {
            window->input()->setPlainText(text);
            window->input()->submit();
        } else {
            who->sendMessage(text);
        }
        waitFor([&] { return who->outboxSize() == 0; });
        const qint64 seq = who->messages()->lastSeq();
        waitFor([&] { return me->messages()->containsSeq(seq); });
        QTest::qWait(60);
    };

    ChatClient *alice = join(QStringLiteral("alice"));
    ChatClient *jun = join(QStringLiteral("준호"));
    say(alice, QStringLiteral("Morning! Is the build green again?"));
    say(me, QStringLiteral("Yes, the flaky socket test was a race in the reconnect timer. Fixed "
                           "and pushed."));
    say(jun, QStringLiteral("안녕하세요! 방금 확인했어요. 이제 모든 테스트가 통과합니다."));
    ChatClient *sam = join(QStringLiteral("sam"));
    say(sam, QStringLiteral("Hi all, just dropping in for the release notes."));
    say(alice, QStringLiteral("Agenda for 3 pm:\n1. Release notes\n2. Korean translation review\n"
                              "3. Screenshots for the README"));
    sam->close();
    waitFor([&] { return me->members()->rowCount() == 3; });
    QTest::qWait(100);
    say(jun, QStringLiteral("번역은 제가 검토할게요. 회의 자료는 공유 폴더에 올려 두었습니다."));
    // Files: a picture (a thumbnail in the window) and a document (a card).
    const auto share = [&](ChatClient *who, const QString &path) {
        FileTransfer transfer(who);
        QSignalSpy done(&transfer, &FileTransfer::uploadFinished);
        transfer.upload(path);
        waitFor([&] { return !done.isEmpty(); });
        const qint64 seq = done.isEmpty() ? 0 : done.first().at(2).toLongLong();
        waitFor([&] { return me->messages()->containsSeq(seq); });
        QTest::qWait(60);
    };
    QImage mockup(960, 540, QImage::Format_RGB32);
    {
        QPainter p(&mockup);
        QLinearGradient sky(0, 0, 960, 540);
        sky.setColorAt(0, QColor(0x2d, 0x6c, 0xdf));
        sky.setColorAt(1, QColor(0x7b, 0x3f, 0xe4));
        p.fillRect(mockup.rect(), sky);
        p.setPen(Qt::white);
        QFont font = p.font();
        font.setPixelSize(72);
        font.setBold(true);
        p.setFont(font);
        p.drawText(mockup.rect(), Qt::AlignCenter, QStringLiteral("Confab 1.0"));
    }
    const QString mockupPath = QDir(dataDir.path()).filePath(QStringLiteral("release-banner.png"));
    mockup.save(mockupPath, "PNG");
    share(jun, mockupPath);
    const QString notesPath = QDir(dataDir.path()).filePath(QStringLiteral("release-notes.pdf"));
    {
        QFile pdf(notesPath);
        pdf.open(QIODevice::WriteOnly);
        pdf.write(QByteArray("%PDF-1.4\n") + QByteArray(180000, 'x'));
    }
    share(alice, notesPath);
    say(me, QStringLiteral("Great. Anyone on the LAN can join with the address at the bottom right."));
    say(alice, QStringLiteral("See you at three. Draft notes: https://example.com/confab/notes"));
    // A lively room: a reply, reactions, someone away and someone typing.
    const qint64 notesSeq = alice->messages()->lastSeq();
    QString notesId;
    for (int i = 0; i < me->messages()->rowCount(); ++i) {
        const QModelIndex index = me->messages()->index(i);
        if (index.data(MessageModel::SeqRole).toLongLong() == notesSeq)
            notesId = index.data(MessageModel::IdRole).toString();
    }
    jun->sendMessage(QStringLiteral("좋아요, 읽어 볼게요 👍"), {}, notesId);
    waitFor([&] { return jun->outboxSize() == 0; });
    me->react(notesId, QStringLiteral("👍"));
    jun->react(notesId, QStringLiteral("👍"));
    jun->react(notesId, QStringLiteral("🎉"));
    waitFor([&] {
        const int row = me->messages()->rowOfId(notesId);
        return row >= 0
            && me->messages()->index(row).data(MessageModel::ReactionsRole).toList().size() == 2;
    });
    jun->setAway(true);
    alice->setTyping(true);
    waitFor([&] { return !me->typingNicks().isEmpty(); });

    window->show();
    window->raise();
    window->activateWindow();
    window->input()->setFocus();
    if (!QTest::qWaitForWindowExposed(window))
        return fail("the window was never shown");
    // The picture's thumbnail is fetched when its row is first painted.
    window->grab();
    waitFor([&] {
        for (int i = 0; i < me->messages()->rowCount(); ++i) {
            const QVariantMap file = me->messages()->index(i).data(MessageModel::FileRole).toMap();
            if (FileSharing::isImage(file) && !window->files()->thumbnail(file).isNull())
                return true;
        }
        return false;
    });
    QTest::qWait(300);
    if (!window->grab().save(QString::fromLocal8Bit(argv[1])))
        return fail("cannot write the PNG");
    std::printf("saved %s\n", argv[1]);
    return 0;
}
