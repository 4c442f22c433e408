// Joining from the GUI, offscreen: a room that refuses the password gets the question
// asked (again, when wrong); the start dialog lists a room announced on the network and
// joins it with a double-click (asking its password first); a wss:// room is trusted on
// first use, and a changed certificate gets a loud warning and the user's decision.

#include "app/core/backoff.h"
#include "app/core/certificatetrust.h"
#include "app/core/chatclient.h"
#include "app/core/roomfinder.h"
#include "app/ui/appcontroller.h"
#include "app/ui/chatwindow.h"
#include "app/ui/roombrowser.h"
#include "app/ui/startdialog.h"
#include "common/messagemodel.h"
#include "server/roomserver.h"

#include <QApplication>
#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

namespace {

RoomFinder::Settings loopbackFinder()
{
    RoomFinder::Settings settings;
    settings.bindAddress = QHostAddress::LocalHost;
    settings.port = 0;
    settings.group = QHostAddress();
    return settings;
}

bool hasEventContaining(const QAbstractItemModel *model, const QString &text)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(MessageModel::TextRole).toString().contains(text))
            return true;
    }
    return false;
}

// The password question as the user meets it: the application's active modal window.
QInputDialog *activePrompt()
{
    return qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
}

} // namespace

class TestGuiJoin final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void asksForThePasswordWhenRefused();
    void cancellingThePasswordLeadsBackToTheDialog();
    void joinsARoomFromTheNetworkList();
    void warnsWhenTheCertificateChanges();

private:
    ServerConfig roomConfig(const QString &dataDir) const;

    std::unique_ptr<QTemporaryDir> m_dataDir;
};

void TestGuiJoin::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestGuiJoin::init()
{
    QSettings().clear();
    m_dataDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dataDir->isValid());
}

ServerConfig TestGuiJoin::roomConfig(const QString &dataDir) const
{
    ServerConfig config;
    config.bindAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.dataDir = dataDir;
    config.announce = false;
    return config;
}

void TestGuiJoin::asksForThePasswordWhenRefused()
{
    ServerConfig config = roomConfig(m_dataDir->path());
    config.roomName = QStringLiteral("Vault");
    config.password = RoomPassword::fromPlainText(QStringLiteral("s3cret"));
    RoomServer room(config);
    QVERIFY2(room.start(), qPrintable(room.errorString()));

    StartOptions options;
    options.mode = StartOptions::Mode::Join;
    options.joinUrl = room.url();
    options.nick = QStringLiteral("bob");
    AppController controller(options);
    QVERIFY(controller.start());
    QVERIFY(controller.chatWindow());

    // Refused without one: asked, over the chat window.
    QTRY_VERIFY_WITH_TIMEOUT(activePrompt(), 10000);
    QInputDialog *prompt = activePrompt();
    QCOMPARE(prompt, controller.passwordPrompt());
    QCOMPARE(prompt->textEchoMode(), QLineEdit::Password);
    QVERIFY2(prompt->labelText().contains(room.url().toString()), qPrintable(prompt->labelText()));
    // Typed as a user would, and a wrong one first.
    QTimer::singleShot(0, this, [] {
        if (QInputDialog *p = activePrompt()) {
            QTest::keyClicks(p->findChild<QLineEdit *>(), QStringLiteral("guess"));
            QTest::keyClick(p->findChild<QLineEdit *>(), Qt::Key_Return);
        }
    });
    QTRY_VERIFY(!controller.passwordPrompt());
    // Asked again, saying so.
    QTRY_VERIFY_WITH_TIMEOUT(activePrompt(), 15000);
    QVERIFY2(activePrompt()->labelText().contains(QStringLiteral("did not accept")),
             qPrintable(activePrompt()->labelText()));
    QTimer::singleShot(0, this, [] {
        if (QInputDialog *p = activePrompt()) {
            QTest::keyClicks(p->findChild<QLineEdit *>(), QStringLiteral("s3cret"));
            QTest::keyClick(p->findChild<QLineEdit *>(), Qt::Key_Return);
        }
    });
    QTRY_COMPARE_WITH_TIMEOUT(controller.client()->state(), ChatClient::State::Joined, 15000);
    QCOMPARE(controller.chatWindow()->statusText(), QStringLiteral("Connected to Vault as bob"));
    // Remembered with its name; the password is not.
    const QList<Settings::RecentRoom> recent = controller.settings()->recentRooms();
    QCOMPARE(recent.size(), 1);
    QCOMPARE(recent.at(0).url, room.url());
    QCOMPARE(recent.at(0).name, QStringLiteral("Vault"));
    QSettings settings;
    for (const QString &key : settings.allKeys())
        QVERIFY2(!settings.value(key).toString().contains(QStringLiteral("s3cret")),
                 qPrintable(key));
}

void TestGuiJoin::cancellingThePasswordLeadsBackToTheDialog()
{
    ServerConfig config = roomConfig(m_dataDir->path());
    config.password = RoomPassword::fromPlainText(QStringLiteral("s3cret"));
    RoomServer room(config);
    QVERIFY2(room.start(), qPrintable(room.errorString()));
    StartOptions options;
    options.mode = StartOptions::Mode::Join;
    options.joinUrl = room.url();
    options.nick = QStringLiteral("bob");
    AppController controller(options);
    QVERIFY(controller.start());
    QTRY_VERIFY_WITH_TIMEOUT(activePrompt(), 10000);
    activePrompt()->reject();
    QTRY_VERIFY(controller.startDialog() && controller.startDialog()->isVisible());
    QTRY_VERIFY(!controller.chatWindow());
    QCOMPARE(controller.startDialog()->page(), StartDialog::Page::Join);
    QVERIFY(!controller.startDialog()->errorText().isEmpty());
}

void TestGuiJoin::joinsARoomFromTheNetworkList()
{
    AppController controller(StartOptions {});
    controller.setRoomFinderSettings(loopbackFinder());
    QVERIFY(controller.start());
    StartDialog *dialog = controller.startDialog();
    QVERIFY(dialog && dialog->isVisible());
    QVERIFY(controller.roomFinder() && controller.roomFinder()->isListening());
    dialog->setPage(StartDialog::Page::Join);
    dialog->findChild<QLineEdit *>(QStringLiteral("nick"))->setText(QStringLiteral("carol"));

    // A room announcing itself to the dialog's finder (on loopback, as the LAN tests do).
    ServerConfig config = roomConfig(m_dataDir->path());
    config.roomName = QStringLiteral("Garden");
    config.password = RoomPassword::fromPlainText(QStringLiteral("roses"));
    config.announce = true;
    config.announceTargets
        = { { QHostAddress(QHostAddress::LocalHost), controller.roomFinder()->port() } };
    config.announceIntervalMs = 100;
    RoomServer room(config);
    QVERIFY2(room.start(), qPrintable(room.errorString()));

    QTreeView *view = dialog->roomBrowser()->view();
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 1, 10000);
    const QModelIndex name = view->model()->index(0, RoomBrowser::NameColumn);
    QCOMPARE(name.data().toString(), QStringLiteral("Garden"));
    QVERIFY(name.data(Qt::DecorationRole).isValid()); // the lock
    QCOMPARE(view->model()->index(0, RoomBrowser::AddressColumn).data().toString(),
             QStringLiteral("127.0.0.1:%1").arg(room.port()));

    // A double-click joins, asking for the password first since the list says it has one.
    // QTest's double-click is the second click only; a user's starts with a first.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(name).center());
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(name).center());
    QTRY_VERIFY(activePrompt());
    QCOMPARE(activePrompt(), dialog->passwordPrompt());
    QTest::keyClicks(activePrompt()->findChild<QLineEdit *>(), QStringLiteral("roses"));
    QTest::keyClick(activePrompt()->findChild<QLineEdit *>(), Qt::Key_Return);
    QTRY_VERIFY(controller.chatWindow());
    QVERIFY(!dialog->isVisible());
    QCOMPARE(controller.client()->url(), room.url());
    QTRY_COMPARE_WITH_TIMEOUT(controller.client()->state(), ChatClient::State::Joined, 10000);
    QVERIFY(!controller.passwordPrompt()); // the room was not asked twice
    QCOMPARE(controller.settings()->recentRooms().value(0).name, QStringLiteral("Garden"));

    // Members count updates live in the list (seen by a fresh finder-fed list).
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->index(0, RoomBrowser::MembersColumn).data().toInt(), 1,
                              10000);
}

void TestGuiJoin::warnsWhenTheCertificateChanges()
{
    QTemporaryDir otherDir;
    ServerConfig config = roomConfig(m_dataDir->path());
    config.roomName = QStringLiteral("Sealed");
    config.tlsSelfSigned = true;
    auto room = std::make_unique<RoomServer>(config);
    QVERIFY2(room->start(), qPrintable(room->errorString()));
    const quint16 port = room->port();

    StartOptions options;
    options.mode = StartOptions::Mode::Join;
    options.joinUrl = room->url();
    options.nick = QStringLiteral("bob");
    AppController controller(options);
    QVERIFY(controller.start());
    controller.client()->setBackoff(Backoff(100, 200));
    QTRY_COMPARE_WITH_TIMEOUT(controller.client()->state(), ChatClient::State::Joined, 10000);
    // First use: trusted, pinned in the user's settings, and the fingerprint shown.
    const QString hostPort = CertificateTrust::hostPort(room->url());
    const QString first = controller.certificateTrust()->knownFingerprint(hostPort);
    QVERIFY(!first.isEmpty());
    QVERIFY(hasEventContaining(controller.client()->messages(), first));
    QVERIFY(!controller.certificateWarning());

    // Another machine (another certificate) answers at the same address.
    room.reset();
    config.dataDir = otherDir.path();
    config.port = port;
    room = std::make_unique<RoomServer>(config);
    QVERIFY2(room->start(), qPrintable(room->errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(controller.certificateWarning(), 15000);
    QMessageBox *box = controller.certificateWarning();
    QTRY_VERIFY(box->isVisible());
    QCOMPARE(box->icon(), QMessageBox::Critical);
    QVERIFY2(box->text().contains(first), qPrintable(box->text()));
    QCOMPARE(controller.client()->state(), ChatClient::State::Disconnected);
    // Both fingerprints are named: the remembered one and another.
    const QString text = box->text();
    QCOMPARE(text.count(QRegularExpression(QStringLiteral("([0-9A-F]{2}:){31}[0-9A-F]{2}"))), 2);
    QVERIFY(box->findChild<QPushButton *>(QStringLiteral("keepRefusing")));

    // Trusting the new one: forgotten, reconnected, and the new one pinned.
    QTest::mouseClick(box->findChild<QPushButton *>(QStringLiteral("trustNewCertificate")),
                      Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(controller.client()->state(), ChatClient::State::Joined, 10000);
    const QString second = controller.certificateTrust()->knownFingerprint(hostPort);
    QVERIFY(!second.isEmpty());
    QVERIFY(second != first);
    QVERIFY(text.contains(second));
}

QTEST_MAIN(TestGuiJoin)
#include "tst_gui_join.moc"
