// The desktop GUI end to end, offscreen: host a room from the start dialog, chat in the
// window through the keyboard, see another member's messages arrive, and get a sentence
// (not a crash) when the port is taken.

#include "app/core/certificatetrust.h"
#include "app/core/chatclient.h"
#include "app/ui/appcontroller.h"
#include "app/ui/invitedialog.h"
#include "app/ui/chatwindow.h"
#include "app/ui/messageinput.h"
#include "app/ui/messageview.h"
#include "app/ui/startdialog.h"
#include "common/messagemodel.h"
#include "server/roomserver.h"

#include <QAction>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QMenu>
#include <QLineEdit>
#include <QListView>
#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using Status = MessageModel::Status;

namespace {

int findRow(const QAbstractItemModel *model, const QString &text)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(MessageModel::TextRole).toString() == text)
            return row;
    }
    return -1;
}

bool isDelivered(const QAbstractItemModel *model, const QString &text)
{
    const int row = findRow(model, text);
    return row >= 0
        && model->index(row, 0).data(MessageModel::StatusRole).value<Status>() == Status::Delivered;
}

void typeInto(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

void clickOk(StartDialog *dialog)
{
    auto *buttons = dialog->findChild<QDialogButtonBox *>();
    QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
}

} // namespace

class TestGuiHost final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void hostsFromTheDialogAndChats();
    void reportsATakenPortAndGoesBackToTheDialog();
    void asksForTheNicknameWhenNoneWasGiven();
    void aTakenNicknameLeadsBackToTheDialog();
    void hostsWithAPassword();
    void hostsEncrypted();
    void suggestsAFreePortAndHostsOnIt();
    void invitesFromTheRoomMenu();

private:
    StartOptions hostOptions() const;

    std::unique_ptr<QTemporaryDir> m_dataDir;
};

void TestGuiHost::initTestCase()
{
    // Settings (remembered nickname, recent rooms) go to a throw-away place.
    QStandardPaths::setTestModeEnabled(true);
}

void TestGuiHost::init()
{
    QSettings().clear();
    m_dataDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dataDir->isValid());
}

StartOptions TestGuiHost::hostOptions() const
{
    StartOptions options;
    options.hostConfig.bindAddress = QHostAddress::LocalHost;
    options.hostConfig.dataDir = m_dataDir->path();
    return options;
}

void TestGuiHost::hostsFromTheDialogAndChats()
{
    AppController controller(hostOptions());
    QSignalSpy finished(&controller, &AppController::finished);
    QVERIFY(controller.start());
    StartDialog *dialog = controller.startDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->page(), StartDialog::Page::Host);

    typeInto(dialog->findChild<QLineEdit *>(QStringLiteral("nick")), QStringLiteral("alice"));
    typeInto(dialog->findChild<QLineEdit *>(QStringLiteral("roomName")), QStringLiteral("Lunch"));
    auto *port = dialog->findChild<QSpinBox *>(QStringLiteral("port"));
    QCOMPARE(port->value(), int(Confab::Protocol::DefaultPort));
    port->setValue(0); // any free port: the default may be taken on a test machine
    clickOk(dialog);

    QTRY_VERIFY(controller.chatWindow());
    ChatWindow *window = controller.chatWindow();
    QVERIFY(!dialog->isVisible());
    QVERIFY(controller.server());
    const quint16 hostedPort = controller.server()->port();
    QVERIFY(hostedPort != 0);
    QTRY_COMPARE(window->client()->state(), ChatClient::State::Joined);
    QCOMPARE(window->statusText(), QStringLiteral("Connected to Lunch as alice"));
    QVERIFY2(window->hostedText().contains(QStringLiteral(":%1").arg(hostedPort)),
             qPrintable(window->hostedText()));
    QVERIFY(window->hostedText().contains(QStringLiteral("ws://")));
    QVERIFY(QTest::qWaitForWindowExposed(window));

    // Enter sends, and the server's ack turns "sending…" into delivered.
    const QAbstractItemModel *model = window->messageView()->model();
    MessageInput *input = window->input();
    QTest::keyClicks(input, QStringLiteral("hello from the host"));
    QTest::keyClick(input, Qt::Key_Return);
    QVERIFY(input->toPlainText().isEmpty());
    QVERIFY(findRow(model, QStringLiteral("hello from the host")) >= 0);
    QTRY_VERIFY(isDelivered(model, QStringLiteral("hello from the host")));

    // Another member joins over the network like anyone on the LAN would.
    ChatClient bob;
    bob.open(controller.server()->url(), QStringLiteral("bob"));
    QTRY_COMPARE(bob.state(), ChatClient::State::Joined);
    QVERIFY(findRow(bob.messages(), QStringLiteral("hello from the host")) >= 0);
    QTRY_COMPARE(window->memberView()->model()->rowCount(), 2);
    bob.sendMessage(QStringLiteral("안녕하세요, bob here"));
    QTRY_VERIFY(isDelivered(model, QStringLiteral("안녕하세요, bob here")));
    QCOMPARE(model->index(findRow(model, QStringLiteral("안녕하세요, bob here")), 0)
                 .data(MessageModel::SenderRole)
                 .toString(),
             QStringLiteral("bob"));

    // Shift+Enter is a new line, not a send.
    const int rows = model->rowCount();
    QTest::keyClicks(input, QStringLiteral("line one"));
    QTest::keyClick(input, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(input, QStringLiteral("line two"));
    QCOMPARE(input->toPlainText(), QStringLiteral("line one\nline two"));
    QCOMPARE(model->rowCount(), rows);
    QTest::keyClick(input, Qt::Key_Enter); // the keypad's Enter sends too
    QTRY_VERIFY(isDelivered(model, QStringLiteral("line one\nline two")));
    QTRY_VERIFY(findRow(bob.messages(), QStringLiteral("line one\nline two")) >= 0);

    // Only whitespace: nothing is sent.
    const int before = model->rowCount();
    QTest::keyClicks(input, QStringLiteral("   "));
    QTest::keyClick(input, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClick(input, Qt::Key_Return);
    QCOMPARE(model->rowCount(), before);
    QCOMPARE(window->client()->outboxSize(), 0);

    // Leaving closes the room for everyone, properly, then the application may quit.
    window->close();
    QTRY_COMPARE(finished.size(), 1);
    QTRY_VERIFY(bob.state() != ChatClient::State::Joined);
}

void TestGuiHost::reportsATakenPortAndGoesBackToTheDialog()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    StartOptions options = hostOptions();
    options.mode = StartOptions::Mode::Host;
    options.nick = QStringLiteral("alice");
    options.hostConfig.port = squatter.serverPort();

    AppController controller(options);
    QVERIFY(controller.start());
    QVERIFY(!controller.chatWindow());
    QVERIFY(!controller.server());
    StartDialog *dialog = controller.startDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->page(), StartDialog::Page::Host);
    auto *box = dialog->findChild<QMessageBox *>(QStringLiteral("hostError"));
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QVERIFY2(box->text().contains(QString::number(squatter.serverPort())), qPrintable(box->text()));
    QVERIFY(box->text().contains(QStringLiteral("in use")));
    // The dialog kept what was asked for.
    QCOMPARE(dialog->findChild<QSpinBox *>(QStringLiteral("port"))->value(),
             int(squatter.serverPort()));
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("nick"))->text(), QStringLiteral("alice"));

    box->accept();
    dialog->findChild<QSpinBox *>(QStringLiteral("port"))->setValue(0);
    clickOk(dialog);
    QTRY_VERIFY(controller.chatWindow());
    QTRY_COMPARE(controller.chatWindow()->client()->state(), ChatClient::State::Joined);
}

void TestGuiHost::asksForTheNicknameWhenNoneWasGiven()
{
    StartOptions options = hostOptions();
    options.mode = StartOptions::Mode::Host;
    options.hostConfig.port = 0;
    options.hostConfig.roomName = QStringLiteral("Friday");
    AppController controller(options);
    QVERIFY(controller.start());
    QVERIFY(!controller.server());
    StartDialog *dialog = controller.startDialog();
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("roomName"))->text(),
             QStringLiteral("Friday"));

    // OK with no nickname says why and stays open.
    clickOk(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY(!dialog->errorText().isEmpty());
    QVERIFY(!controller.server());

    // QTest types ASCII only; the rest arrives as an input method would commit it.
    dialog->findChild<QLineEdit *>(QStringLiteral("nick"))->setText(QStringLiteral("  zoë "));
    clickOk(dialog);
    QTRY_VERIFY(controller.chatWindow());
    QTRY_COMPARE(controller.chatWindow()->client()->state(), ChatClient::State::Joined);
    QCOMPARE(controller.chatWindow()->client()->nick(), QStringLiteral("zoë"));
    // The nickname is remembered for next time.
    QCOMPARE(QSettings().value(QStringLiteral("nick")).toString(), QStringLiteral("zoë"));
}

void TestGuiHost::aTakenNicknameLeadsBackToTheDialog()
{
    ServerConfig config = hostOptions().hostConfig;
    config.port = 0;
    RoomServer room(config);
    QVERIFY2(room.start(), qPrintable(room.errorString()));
    ChatClient alice;
    alice.open(room.url(), QStringLiteral("alice"));
    QTRY_COMPARE(alice.state(), ChatClient::State::Joined);

    StartOptions options;
    options.mode = StartOptions::Mode::Join;
    options.joinUrl = room.url();
    options.nick = QStringLiteral("ALICE"); // the same person to the server
    AppController controller(options);
    QVERIFY(controller.start());
    QVERIFY(controller.chatWindow());
    QTRY_VERIFY(controller.startDialog() && controller.startDialog()->isVisible());
    QTRY_VERIFY(!controller.chatWindow());
    StartDialog *dialog = controller.startDialog();
    QCOMPARE(dialog->page(), StartDialog::Page::Join);
    QVERIFY(!dialog->errorText().isEmpty());
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("address"))->text(), room.url().toString());

    // A different name gets in.
    typeInto(dialog->findChild<QLineEdit *>(QStringLiteral("nick")), QStringLiteral("alice2"));
    clickOk(dialog);
    QTRY_VERIFY(controller.chatWindow());
    QTRY_COMPARE(controller.chatWindow()->client()->state(), ChatClient::State::Joined);
    QCOMPARE(controller.chatWindow()->client()->nick(), QStringLiteral("alice2"));
}

void TestGuiHost::hostsWithAPassword()
{
    AppController controller(hostOptions());
    QVERIFY(controller.start());
    StartDialog *dialog = controller.startDialog();
    typeInto(dialog->findChild<QLineEdit *>(QStringLiteral("nick")), QStringLiteral("alice"));
    typeInto(dialog->findChild<QLineEdit *>(QStringLiteral("roomName")), QStringLiteral("Vault"));
    dialog->findChild<QSpinBox *>(QStringLiteral("port"))->setValue(0);
    typeInto(dialog->findChild<QLineEdit *>(QStringLiteral("hostPassword")),
             QStringLiteral("correct horse"));
    clickOk(dialog);
    QTRY_VERIFY(controller.chatWindow());
    // The host's own window knows the password.
    QTRY_COMPARE(controller.chatWindow()->client()->state(), ChatClient::State::Joined);
    QVERIFY(controller.server()->config().password.isSet());

    // Without it, others are refused for good…
    ChatClient stranger;
    QSignalSpy refused(&stranger, &ChatClient::errorReceived);
    stranger.open(controller.server()->url(), QStringLiteral("mallory"));
    QTRY_COMPARE(refused.size(), 1);
    QCOMPARE(refused.at(0).at(0).toString(), QStringLiteral("bad-password"));
    QVERIFY(refused.at(0).at(2).toBool());
    QCOMPARE(stranger.state(), ChatClient::State::Disconnected);
    // …and with it, let in.
    ChatClient friendly;
    friendly.setPassword(QStringLiteral("correct horse"));
    friendly.open(controller.server()->url(), QStringLiteral("bob"));
    QTRY_COMPARE_WITH_TIMEOUT(friendly.state(), ChatClient::State::Joined, 10000);
    QTRY_COMPARE(controller.chatWindow()->memberView()->model()->rowCount(), 2);
}

void TestGuiHost::hostsEncrypted()
{
    AppController controller(hostOptions());
    QVERIFY(controller.start());
    StartDialog *dialog = controller.startDialog();
    typeInto(dialog->findChild<QLineEdit *>(QStringLiteral("nick")), QStringLiteral("alice"));
    typeInto(dialog->findChild<QLineEdit *>(QStringLiteral("roomName")), QStringLiteral("Sealed"));
    dialog->findChild<QSpinBox *>(QStringLiteral("port"))->setValue(0);
    QTest::keyClick(dialog->findChild<QCheckBox *>(QStringLiteral("encrypt")), Qt::Key_Space);
    clickOk(dialog);
    QTRY_VERIFY(controller.chatWindow());
    ChatWindow *window = controller.chatWindow();
    QCOMPARE(controller.server()->url().scheme(), QStringLiteral("wss"));
    QCOMPARE(window->client()->url().scheme(), QStringLiteral("wss"));
    QVERIFY2(window->hostedText().contains(QStringLiteral("wss://")), qPrintable(window->hostedText()));
    QTRY_COMPARE_WITH_TIMEOUT(window->client()->state(), ChatClient::State::Joined, 10000);
    // Pinned to its own certificate beforehand: no first-use notice, no warning, and the
    // user's pins (QSettings) are not touched by the host's loopback address.
    QVERIFY(!controller.certificateWarning());
    QVERIFY(controller.certificateTrust()->knownFingerprint(
                    CertificateTrust::hostPort(window->client()->url()))
                .isEmpty());

    MessageInput *input = window->input();
    QTest::keyClicks(input, QStringLiteral("over TLS"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY(isDelivered(window->messageView()->model(), QStringLiteral("over TLS")));

    // A member on the LAN trusts it on first use and chats both ways.
    CertificateTrust trust(CertificateTrust::memoryStore());
    ChatClient bob;
    bob.setCertificateTrust(&trust);
    QSignalSpy firstSeen(&bob, &ChatClient::certificateFirstSeen);
    bob.open(controller.server()->url(), QStringLiteral("bob"));
    QTRY_COMPARE_WITH_TIMEOUT(bob.state(), ChatClient::State::Joined, 10000);
    QCOMPARE(firstSeen.size(), 1);
    QVERIFY(findRow(bob.messages(), QStringLiteral("over TLS")) >= 0);
    bob.sendMessage(QStringLiteral("encrypted hello"));
    QTRY_VERIFY(isDelivered(window->messageView()->model(), QStringLiteral("encrypted hello")));

    // The invite dialog offers wss:// and the fingerprint to compare.
    controller.showInviteDialog();
    QVERIFY(controller.inviteDialog());
    QCOMPARE(controller.inviteDialog()->invitations().at(0).roomUrl.scheme(), QStringLiteral("wss"));
    auto *fingerprint = controller.inviteDialog()->findChild<QLabel *>(QStringLiteral("fingerprint"));
    QVERIFY(fingerprint);
    QVERIFY2(fingerprint->text().contains(firstSeen.at(0).at(1).toString()),
             qPrintable(fingerprint->text()));
}

void TestGuiHost::suggestsAFreePortAndHostsOnIt()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    StartOptions options = hostOptions();
    options.mode = StartOptions::Mode::Host;
    options.nick = QStringLiteral("alice");
    options.hostConfig.port = squatter.serverPort();

    AppController controller(options);
    QVERIFY(controller.start());
    QVERIFY(!controller.server());
    auto *box = controller.startDialog()->findChild<QMessageBox *>(QStringLiteral("hostError"));
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    auto *useSuggested = box->findChild<QPushButton *>(QStringLiteral("useSuggestedPort"));
    QVERIFY(useSuggested);
    const QString suggested = useSuggested->text().section(QLatin1Char(' '), -1);
    QVERIFY2(box->text().contains(QStringLiteral("try %1").arg(suggested)), qPrintable(box->text()));
    QVERIFY(box->text().contains(QStringLiteral("0 for any free port")));
    QVERIFY(box->findChild<QPushButton *>(QStringLiteral("useAnyPort")));
    QTest::mouseClick(useSuggested, Qt::LeftButton);
    QTRY_VERIFY(controller.chatWindow());
    QCOMPARE(QString::number(controller.server()->port()), suggested);
    QTRY_COMPARE(controller.chatWindow()->client()->state(), ChatClient::State::Joined);
}

void TestGuiHost::invitesFromTheRoomMenu()
{
    StartOptions options = hostOptions();
    options.mode = StartOptions::Mode::Host;
    options.nick = QStringLiteral("alice");
    options.hostConfig.port = 0;
    options.hostConfig.bindAddress = QHostAddress::Any;
    AppController controller(options);
    QVERIFY(controller.start());
    QTRY_VERIFY(controller.chatWindow());
    QMenu *menu = controller.chatWindow()->roomMenu();
    QVERIFY(menu);
    QAction *invite = menu->findChild<QAction *>(QStringLiteral("inviteAction"));
    QVERIFY(invite);
    QVERIFY(menu->actions().contains(invite));
    invite->trigger();
    InviteDialog *dialog = controller.inviteDialog();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    // Every address of the machine, at the room's port.
    QCOMPARE(dialog->invitations().size(),
             InviteDialog::reachableAddresses(QHostAddress::Any).size());
    for (const InviteDialog::Invitation &invitation : dialog->invitations())
        QCOMPARE(invitation.roomUrl.port(), int(controller.server()->port()));
    QGuiApplication::clipboard()->clear();
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("copyBrowserUrl0")),
                      Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(),
             dialog->invitations().at(0).browserUrl.toString());

    // Settings are in the same menu.
    ChatWindow *window = controller.chatWindow();
    QVERIFY(window->roomMenu()->findChild<QAction *>(QStringLiteral("settingsAction")));
}

QTEST_MAIN(TestGuiHost)
#include "tst_gui_host.moc"
