// The desktop GUI end to end, offscreen: host a room from the start dialog, chat in the
// window through the keyboard, see another member's messages arrive, and get a sentence
// (not a crash) when the port is taken.

#include "app/core/chatclient.h"
#include "app/ui/appcontroller.h"
#include "app/ui/chatwindow.h"
#include "app/ui/messageinput.h"
#include "app/ui/messageview.h"
#include "app/ui/startdialog.h"
#include "common/messagemodel.h"
#include "server/roomserver.h"

#include <QDialogButtonBox>
#include <QLineEdit>
#include <QListView>
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

QTEST_MAIN(TestGuiHost)
#include "tst_gui_host.moc"
