#pragma once

#include <QPlainTextEdit>

// Where the user types. Enter sends, Shift+Enter starts a new line, as in other chat
// programs; text that is only whitespace is never sent.
class MessageInput final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageInput)

public:
    explicit MessageInput(QWidget *parent = nullptr);
    ~MessageInput() override;

    QSize sizeHint() const override;

    // Sends what is typed (as if Enter was pressed): emits submitted() and clears.
    void submit();

Q_SIGNALS:
    void submitted(const QString &text);

protected:
    void keyPressEvent(QKeyEvent *event) override;
};
