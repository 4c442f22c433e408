<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>AppController</name>
    <message>
        <source>Cannot host the room</source>
        <translation>대화방을 열 수 없습니다</translation>
    </message>
    <message>
        <source>Port %1 is in use — try %2, or 0 for any free port.</source>
        <translation>포트 %1번은 이미 사용 중입니다. %2번을 쓰거나, 0을 입력하면 빈 포트를 자동으로 고릅니다.</translation>
    </message>
    <message>
        <source>Port %1 is in use — choose another, or 0 for any free port.</source>
        <translation>포트 %1번은 이미 사용 중입니다. 다른 포트를 고르거나, 0을 입력하면 빈 포트를 자동으로 고릅니다.</translation>
    </message>
    <message>
        <source>Host on port %1</source>
        <translation>포트 %1번에서 열기</translation>
    </message>
    <message>
        <source>Host on any free port</source>
        <translation>빈 포트에서 열기</translation>
    </message>
    <message>
        <source>&amp;Room</source>
        <translation>대화방(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Invite people…</source>
        <translation>사람 초대(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>설정(&amp;S)…</translation>
    </message>
    <message>
        <source>First visit to %1 over wss://: its certificate (fingerprint %2) is now remembered. If it ever changes, Confab will refuse to connect and ask you.</source>
        <translation>wss://로 %1에 처음 연결했습니다. 이 대화방의 인증서(지문 %2)를 기억해 둡니다. 인증서가 바뀌면 Confab은 연결하지 않고 먼저 묻습니다.</translation>
    </message>
    <message>
        <source>Trusting the certificate of %1 from now on</source>
        <translation>이제부터 %1의 인증서를 신뢰합니다</translation>
    </message>
    <message>
        <source>The room at %1 asks for a password.</source>
        <translation>%1의 대화방에 들어가려면 비밀번호가 필요합니다.</translation>
    </message>
    <message>
        <source>The room at %1 did not accept that password (%2). Try again:</source>
        <translation>%1의 대화방이 비밀번호를 받아들이지 않았습니다(%2). 다시 입력하십시오:</translation>
    </message>
    <message>
        <source>The room&apos;s certificate has changed</source>
        <translation>대화방의 인증서가 바뀌었습니다</translation>
    </message>
    <message>
        <source>The room at %1 presented a different certificate from the one it had when you last joined, so Confab did not connect. Another machine on the network may be posing as the room — or the host made a new certificate.

Remembered: %2
Presented now: %3

Ask the host which fingerprint their room shows (Room ▸ Invite people) before trusting the new one.</source>
        <translation>%1의 대화방이 지난번에 참여했을 때와 다른 인증서를 제시해서 Confab이 연결하지 않았습니다. 네트워크의 다른 컴퓨터가 이 대화방으로 위장하고 있을 수 있습니다. 또는 호스트가 인증서를 새로 만들었을 수도 있습니다.

기억된 지문: %2
지금 제시된 지문: %3

새 인증서를 신뢰하기 전에 호스트에게 대화방에 표시되는 지문(대화방 ▸ 사람 초대)을 확인하십시오.</translation>
    </message>
    <message>
        <source>(not known)</source>
        <translation>(알 수 없음)</translation>
    </message>
    <message>
        <source>Keep refusing</source>
        <translation>계속 거부</translation>
    </message>
    <message>
        <source>Trust the new certificate</source>
        <translation>새 인증서 신뢰</translation>
    </message>
</context>
<context>
    <name>ChatClient</name>
    <message>
        <source>The connection closed (code %1).</source>
        <translation>연결이 종료되었습니다(코드 %1).</translation>
    </message>
    <message>
        <source>The room closed the connection (code %1).</source>
        <translation>대화방이 연결을 종료했습니다(코드 %1).</translation>
    </message>
    <message>
        <source>Connection lost.</source>
        <translation>연결이 끊어졌습니다.</translation>
    </message>
    <message>
        <source>Reconnected to %1 as %2.</source>
        <translation>%2 닉네임으로 %1에 다시 연결했습니다.</translation>
    </message>
    <message>
        <source>You joined %1 as %2.</source>
        <translation>%2 닉네임으로 %1에 참여했습니다.</translation>
    </message>
    <message>
        <source>%1 joined.</source>
        <translation>%1 님이 들어왔습니다.</translation>
    </message>
    <message>
        <source>%1 left.</source>
        <translation>%1 님이 나갔습니다.</translation>
    </message>
    <message>
        <source>The certificate of %1 is not trusted: %2</source>
        <translation>%1의 인증서를 신뢰할 수 없습니다: %2</translation>
    </message>
    <message>
        <source>The certificate of %1 is not the one it had when you last joined, so Confab did not connect: another machine may be posing as the room. It was %2 and is now %3. If the host made a new certificate, forget the old one and join again.</source>
        <translation>%1의 인증서가 지난번에 참여했을 때와 달라서 Confab이 연결하지 않았습니다. 다른 컴퓨터가 이 대화방으로 위장하고 있을 수 있습니다. 이전 지문: %2, 지금 지문: %3. 호스트가 인증서를 새로 만들었다면 이전 인증서를 지우고 다시 참여하십시오.</translation>
    </message>
</context>
<context>
    <name>ChatText</name>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 님이 입력 중…</translation>
    </message>
    <message>
        <source>%1 and %2 are typing…</source>
        <translation>%1 님과 %2 님이 입력 중…</translation>
    </message>
    <message>
        <source>%1, %2 and %3 are typing…</source>
        <translation>%1, %2, %3 님이 입력 중…</translation>
    </message>
    <message>
        <source>%1, %2 and %n others are typing…</source>
        <translation>%1, %2 님 외 %n명이 입력 중…</translation>
    </message>
</context>
<context>
    <name>ChatWindow</name>
    <message>
        <source>Send</source>
        <translation>보내기</translation>
    </message>
    <message>
        <source>In the room</source>
        <translation>대화방에 있는 사람</translation>
    </message>
    <message>
        <source>&amp;Room</source>
        <translation>대화방(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Leave and quit</source>
        <translation>나가기 및 종료(&amp;L)</translation>
    </message>
    <message>
        <source>Others join at %1</source>
        <translation>참여 주소: %1</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>연결 중…</translation>
    </message>
    <message>
        <source>Connected to %1 as %2</source>
        <translation>%2 닉네임으로 %1에 연결됨</translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n s</source>
        <translation>
            <numerusform>%n초 후 다시 연결</numerusform>
        </translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>연결 끊김</translation>
    </message>
    <message>
        <source>Disconnected: %1</source>
        <translation>연결 끊김: %1</translation>
    </message>
    <message>
        <source>Confab</source>
        <translation>Confab</translation>
    </message>
    <message>
        <source>%1 — Confab</source>
        <translation>%1 — Confab</translation>
    </message>
    <message>
        <source>&amp;Away</source>
        <translation>자리 비움(&amp;A)</translation>
    </message>
    <message>
        <source>Double-click someone to message them privately</source>
        <translation>사람을 두 번 클릭하면 개인 메시지를 보낼 수 있습니다</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>취소 (Esc)</translation>
    </message>
    <message>
        <source>Search the room&apos;s history (Enter)</source>
        <translation>대화방 기록 검색 (Enter)</translation>
    </message>
    <message>
        <source>Close search (Esc)</source>
        <translation>검색 닫기 (Esc)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>파일(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>대화 내보내기(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>편집(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Find in history…</source>
        <translation>기록에서 찾기(&amp;F)…</translation>
    </message>
    <message>
        <source>Show the others that you are away</source>
        <translation>다른 사람에게 자리 비움으로 표시합니다</translation>
    </message>
    <message>
        <source>%1  %2: %3</source>
        <translation>%1  %2: %3</translation>
    </message>
    <message>
        <source>No messages found</source>
        <translation>찾은 메시지가 없습니다</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>대화방</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Messages to everyone in the room</source>
        <translation>대화방의 모든 사람에게 보내는 메시지</translation>
    </message>
    <message>
        <source>Private messages between you and %1</source>
        <translation>%1 님과 주고받은 개인 메시지</translation>
    </message>
    <message>
        <source>%1 (private message)</source>
        <translation>%1 (개인 메시지)</translation>
    </message>
    <message>
        <source>%1 mentioned you</source>
        <translation>%1 님이 나를 언급했습니다</translation>
    </message>
    <message>
        <source>Replying to %1: %2</source>
        <translation>%1 님에게 답장: %2</translation>
    </message>
    <message>
        <source>Editing your message (Enter saves, Esc cancels)</source>
        <translation>메시지 수정 중 (Enter: 저장, Esc: 취소)</translation>
    </message>
    <message>
        <source>Delete this message for everyone?

%1</source>
        <translation>모든 사람에게서 이 메시지를 삭제하시겠습니까?

%1</translation>
    </message>
    <message>
        <source>&amp;Reply</source>
        <translation>답장(&amp;R)</translation>
    </message>
    <message>
        <source>Re&amp;act</source>
        <translation>반응(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Copy text</source>
        <translation>텍스트 복사(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>삭제(&amp;D)…</translation>
    </message>
    <message>
        <source>&amp;Message privately</source>
        <translation>개인 메시지 보내기(&amp;M)</translation>
    </message>
    <message>
        <source>That message is too far back to show.</source>
        <translation>그 메시지는 너무 오래되어 표시할 수 없습니다.</translation>
    </message>
    <message>
        <source>Conversation with %1</source>
        <translation>%1 님과의 대화</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>대화 내보내기</translation>
    </message>
    <message>
        <source>conversation</source>
        <translation>대화</translation>
    </message>
    <message>
        <source>Text (*.txt);;Web page (*.html)</source>
        <translation>텍스트 (*.txt);;웹 페이지 (*.html)</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>%1에 쓸 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>저장됨: %1</translation>
    </message>
    <message>
        <source>Send a file or picture (or drop it here, or paste it)</source>
        <translation>파일이나 사진 보내기 (여기에 끌어다 놓거나 붙여 넣어도 됩니다)</translation>
    </message>
    <message>
        <source>Send a file</source>
        <translation>파일 보내기</translation>
    </message>
    <message>
        <source>&amp;Send file…</source>
        <translation>파일 보내기(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Open picture</source>
        <translation>사진 열기(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Save to Downloads</source>
        <translation>다운로드 폴더에 저장(&amp;S)</translation>
    </message>
    <message>
        <source>Save &amp;as…</source>
        <translation>다른 이름으로 저장(&amp;A)…</translation>
    </message>
    <message>
        <source>Send files</source>
        <translation>파일 보내기</translation>
    </message>
    <message>
        <source>Save file</source>
        <translation>파일 저장</translation>
    </message>
</context>
<context>
    <name>CliClient</name>
    <message>
        <source>Cannot join %1: %2</source>
        <translation>%1에 참여할 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Connection lost (%1); trying again in %2 s.</source>
        <translation>연결이 끊어졌습니다(%1). %2초 후 다시 시도합니다.</translation>
    </message>
    <message>
        <source>Trusting the certificate of %1 from now on: %2</source>
        <translation>이제부터 %1의 인증서를 신뢰합니다: %2</translation>
    </message>
    <message>
        <source>Cannot read standard input: %1</source>
        <translation>표준 입력을 읽을 수 없습니다: %1</translation>
    </message>
    <message>
        <source>Cannot read the password file %1: %2</source>
        <translation>비밀번호 파일을 읽을 수 없습니다: %1: %2</translation>
    </message>
    <message>
        <source>The password file %1 is empty; its first line is the room&apos;s password.</source>
        <translation>비밀번호 파일이 비어 있습니다: %1. 파일의 첫 줄이 대화방 비밀번호입니다.</translation>
    </message>
</context>
<context>
    <name>Confab::Codec</name>
    <message>
        <source>must be &quot;online&quot; or &quot;away&quot;</source>
        <translation>&quot;online&quot; 또는 &quot;away&quot;여야 합니다</translation>
    </message>
    <message>
        <source>must hold strings</source>
        <translation>문자열만 담아야 합니다</translation>
    </message>
    <message>
        <source>Field &quot;reactions&quot; must hold objects.</source>
        <translation>&quot;reactions&quot; 필드에는 객체만 담아야 합니다.</translation>
    </message>
    <message>
        <source>must hold objects</source>
        <translation>객체만 담아야 합니다</translation>
    </message>
    <message>
        <source>The message is not valid JSON: %1 at offset %2.</source>
        <translation>메시지가 올바른 JSON이 아닙니다: 오프셋 %2에서 %1.</translation>
    </message>
    <message>
        <source>The message must be one JSON object.</source>
        <translation>메시지는 JSON 객체 하나여야 합니다.</translation>
    </message>
    <message>
        <source>The message names the same key twice.</source>
        <translation>메시지에 같은 키가 두 번 있습니다.</translation>
    </message>
    <message>
        <source>The message has no &quot;type&quot; string.</source>
        <translation>메시지에 &quot;type&quot; 문자열이 없습니다.</translation>
    </message>
    <message>
        <source>must not be negative</source>
        <translation>음수가 아니어야 합니다</translation>
    </message>
    <message>
        <source>must be 1 to %1 characters</source>
        <translation>1~%1자여야 합니다</translation>
    </message>
    <message>
        <source>A history request names exactly one of &quot;before&quot; and &quot;after&quot;, not negative.</source>
        <translation>기록 요청에는 &quot;before&quot;와 &quot;after&quot; 중 하나만 음수가 아닌 값으로 지정해야 합니다.</translation>
    </message>
    <message>
        <source>must be at least 1</source>
        <translation>1 이상이어야 합니다</translation>
    </message>
    <message>
        <source>must be 1 to 16 characters</source>
        <translation>1~16자여야 합니다</translation>
    </message>
    <message>
        <source>must be 1 to 200 characters</source>
        <translation>1~200자여야 합니다</translation>
    </message>
    <message>
        <source>Unknown message type &quot;%1&quot;.</source>
        <translation>알 수 없는 메시지 유형입니다: &quot;%1&quot;.</translation>
    </message>
    <message>
        <source>A history page&apos;s &quot;before&quot; and &quot;after&quot; are not negative.</source>
        <translation>기록 페이지의 &quot;before&quot;와 &quot;after&quot;는 음수일 수 없습니다.</translation>
    </message>
    <message>
        <source>must be a string</source>
        <translation>문자열이어야 합니다</translation>
    </message>
    <message>
        <source>must be an integer</source>
        <translation>정수여야 합니다</translation>
    </message>
    <message>
        <source>must be true or false</source>
        <translation>true 또는 false여야 합니다</translation>
    </message>
    <message>
        <source>must be a UTC time such as 2026-11-22T09:30:00.000Z</source>
        <translation>2026-11-22T09:30:00.000Z 같은 UTC 시각이어야 합니다</translation>
    </message>
    <message>
        <source>must be an array</source>
        <translation>배열이어야 합니다</translation>
    </message>
    <message>
        <source>Field &quot;%1&quot; %2.</source>
        <translation>&quot;%1&quot; 필드는 %2.</translation>
    </message>
    <message>
        <source>must be an object</source>
        <translation>객체여야 합니다</translation>
    </message>
    <message>
        <source>Field &quot;file&quot; needs an id and a size.</source>
        <translation>&quot;file&quot; 필드에는 id와 size가 필요합니다.</translation>
    </message>
    <message>
        <source>must be %1 to %2 letters, digits, - or _</source>
        <translation>글자, 숫자, - 또는 _로 된 %1~%2자여야 합니다</translation>
    </message>
    <message>
        <source>The file&apos;s name or type is too long.</source>
        <translation>파일 이름이나 유형이 너무 깁니다.</translation>
    </message>
    <message>
        <source>must be 64 hexadecimal digits</source>
        <translation>16진수 64자리여야 합니다</translation>
    </message>
    <message>
        <source>is not a file id</source>
        <translation>파일 ID가 아닙니다</translation>
    </message>
    <message>
        <source>A fileCancel names exactly one of &quot;fileId&quot; and &quot;uploadId&quot;.</source>
        <translation>fileCancel에는 &quot;fileId&quot;와 &quot;uploadId&quot; 중 하나만 지정해야 합니다.</translation>
    </message>
    <message>
        <source>An error&apos;s &quot;retryAfterMs&quot; and &quot;offset&quot; are not negative.</source>
        <translation>error의 &quot;retryAfterMs&quot;와 &quot;offset&quot;은 음수일 수 없습니다.</translation>
    </message>
</context>
<context>
    <name>Confab::Nickname</name>
    <message>
        <source>A nickname cannot be empty.</source>
        <translation>닉네임은 비워 둘 수 없습니다.</translation>
    </message>
    <message>
        <source>A nickname can have at most %1 characters.</source>
        <translation>닉네임은 최대 %1자까지 쓸 수 있습니다.</translation>
    </message>
    <message>
        <source>A nickname cannot contain invisible or control characters.</source>
        <translation>닉네임에는 보이지 않는 문자나 제어 문자를 쓸 수 없습니다.</translation>
    </message>
    <message>
        <source>A nickname cannot begin or end with a space.</source>
        <translation>닉네임은 공백으로 시작하거나 끝날 수 없습니다.</translation>
    </message>
</context>
<context>
    <name>ConversationExport</name>
    <message>
        <source>(message deleted)</source>
        <translation>(삭제된 메시지)</translation>
    </message>
    <message>
        <source>%1 (edited)</source>
        <translation>%1 (수정됨)</translation>
    </message>
    <message>
        <source>message deleted</source>
        <translation>삭제된 메시지</translation>
    </message>
    <message>
        <source>(edited)</source>
        <translation>(수정됨)</translation>
    </message>
</context>
<context>
    <name>FileSharing</name>
    <message>
        <source>Confab</source>
        <translation>Confab</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is already in %2. Replace it?</source>
        <translation>%2에 &quot;%1&quot; 파일이 이미 있습니다. 바꾸시겠습니까?</translation>
    </message>
    <message>
        <source>&amp;Replace</source>
        <translation>바꾸기(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Keep both</source>
        <translation>둘 다 유지(&amp;K)</translation>
    </message>
    <message>
        <source>Sending %1</source>
        <translation>%1 보내는 중</translation>
    </message>
    <message>
        <source>Could not keep the pasted image for sending.</source>
        <translation>붙여 넣은 이미지를 보낼 수 있도록 저장하지 못했습니다.</translation>
    </message>
    <message>
        <source>Pasted image %1.png</source>
        <translation>붙여 넣은 이미지 %1.png</translation>
    </message>
    <message>
        <source>Could not send %1: %2</source>
        <translation>%1을(를) 보내지 못했습니다: %2</translation>
    </message>
    <message>
        <source>Could not download %1: %2</source>
        <translation>%1을(를) 내려받지 못했습니다: %2</translation>
    </message>
    <message>
        <source>Downloading %1</source>
        <translation>%1 내려받는 중</translation>
    </message>
    <message>
        <source>Could not save %1 in %2.</source>
        <translation>%1을(를) %2에 저장하지 못했습니다.</translation>
    </message>
    <message>
        <source>%1 cannot be shown as a picture.</source>
        <translation>%1은(는) 사진으로 표시할 수 없습니다.</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>저장(&amp;S)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
</context>
<context>
    <name>FileTransfer</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 파일을 읽을 수 없습니다: %2</translation>
    </message>
    <message>
        <source>That is not a file id.</source>
        <translation>파일 ID가 아닙니다.</translation>
    </message>
    <message>
        <source>Cannot write in %1: %2</source>
        <translation>%1에 쓸 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Cannot read the file any more: %1</source>
        <translation>파일을 더 이상 읽을 수 없습니다: %1</translation>
    </message>
    <message>
        <source>The room sent more bytes than the file has.</source>
        <translation>대화방이 파일 크기보다 많은 바이트를 보냈습니다.</translation>
    </message>
    <message>
        <source>Cannot write the file: %1</source>
        <translation>파일을 쓸 수 없습니다: %1</translation>
    </message>
    <message>
        <source>The file did not arrive as it was shared (its SHA-256 does not match); it was not saved.</source>
        <translation>파일이 공유된 그대로 도착하지 않아(SHA-256 불일치) 저장하지 않았습니다.</translation>
    </message>
    <message>
        <source>Cannot save the file in %1.</source>
        <translation>%1에 파일을 저장할 수 없습니다.</translation>
    </message>
</context>
<context>
    <name>InviteDialog</name>
    <message>
        <source>Invite people</source>
        <translation>사람 초대</translation>
    </message>
    <message>
        <source>People on your network can join with Confab at one of these addresses, or open the browser link. Which address works depends on the network they are on.</source>
        <translation>같은 네트워크에 있는 사람은 아래 주소 중 하나로 Confab에서 참여하거나, 브라우저 링크를 열어 참여할 수 있습니다. 어느 주소로 연결되는지는 그 사람이 있는 네트워크에 따라 다릅니다.</translation>
    </message>
    <message>
        <source>In Confab</source>
        <translation>Confab에서</translation>
    </message>
    <message>
        <source>In a browser</source>
        <translation>브라우저에서</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>복사</translation>
    </message>
    <message>
        <source>Copy %1</source>
        <translation>%1 복사</translation>
    </message>
    <message>
        <source>Scan with a phone&apos;s camera to open the room in its browser.</source>
        <translation>휴대전화 카메라로 스캔하면 휴대전화 브라우저에서 대화방이 열립니다.</translation>
    </message>
    <message>
        <source>&amp;QR code for:</source>
        <translation>QR 코드 주소(&amp;Q):</translation>
    </message>
    <message>
        <source>The room&apos;s certificate fingerprint (what joiners see the first time): %1</source>
        <translation>대화방 인증서 지문 (참여하는 사람이 처음에 보게 되는 값): %1</translation>
    </message>
    <message>
        <source>Copied %1</source>
        <translation>복사됨: %1</translation>
    </message>
</context>
<context>
    <name>Listener</name>
    <message>
        <source>TLS needs both a certificate file and a private key file.</source>
        <translation>TLS에는 인증서 파일과 개인 키 파일이 모두 필요합니다.</translation>
    </message>
    <message>
        <source>This system has no TLS library that Qt can use (%1), so the room cannot offer wss://.</source>
        <translation>이 시스템에는 Qt가 사용할 수 있는 TLS 라이브러리가 없어서(%1) 대화방이 wss://를 제공할 수 없습니다.</translation>
    </message>
</context>
<context>
    <name>MemberDelegate</name>
    <message>
        <source>%1 (you, away)</source>
        <translation>%1 (나, 자리 비움)</translation>
    </message>
    <message>
        <source>%1 (away)</source>
        <translation>%1 (자리 비움)</translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation>%1 (나)</translation>
    </message>
</context>
<context>
    <name>MemberModel</name>
    <message>
        <source>Away</source>
        <translation>자리 비움</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>온라인</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>sending…</source>
        <translation>보내는 중…</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>실패: %1</translation>
    </message>
    <message>
        <source>(edited)</source>
        <translation>(수정됨)</translation>
    </message>
    <message>
        <source>message deleted</source>
        <translation>삭제된 메시지</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>an earlier message</source>
        <translation>이전 메시지</translation>
    </message>
    <message>
        <source>%1: message deleted</source>
        <translation>%1: 삭제된 메시지</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>New messages</source>
        <translation>새 메시지</translation>
    </message>
    <message>
        <source>to %1</source>
        <translation>%1 님에게</translation>
    </message>
    <message>
        <source>%1 by %2</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>No preview</source>
        <translation>미리 보기 없음</translation>
    </message>
    <message>
        <source>Loading preview…</source>
        <translation>미리 보기를 불러오는 중…</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>click to open</source>
        <translation>클릭하면 열립니다</translation>
    </message>
    <message>
        <source>click to save</source>
        <translation>클릭하면 저장됩니다</translation>
    </message>
</context>
<context>
    <name>MessageInput</name>
    <message>
        <source>Write a message (Enter sends, Shift+Enter starts a new line)</source>
        <translation>메시지 입력 (Enter: 보내기, Shift+Enter: 줄 바꿈)</translation>
    </message>
</context>
<context>
    <name>PasswordPrompt</name>
    <message>
        <source>Room password</source>
        <translation>대화방 비밀번호</translation>
    </message>
</context>
<context>
    <name>Room</name>
    <message>
        <source>Welcome to %1. You are %2; nobody else is here yet.</source>
        <translation>%1에 오신 것을 환영합니다. 닉네임은 %2입니다. 아직 다른 사람은 없습니다.</translation>
    </message>
    <message>
        <source>Welcome to %1. You are %2. Here: %3.</source>
        <translation>%1에 오신 것을 환영합니다. 닉네임은 %2입니다. 현재 참여자: %3.</translation>
    </message>
    <message>
        <source>%1 joined.</source>
        <translation>%1 님이 들어왔습니다.</translation>
    </message>
    <message>
        <source>%1 left.</source>
        <translation>%1 님이 나갔습니다.</translation>
    </message>
    <message>
        <source>Another password check from your address is under way; try again in a moment.</source>
        <translation>이 주소에서 보낸 비밀번호를 이미 확인하고 있습니다. 잠시 후 다시 시도하십시오.</translation>
    </message>
    <message>
        <source>This room needs a password.</source>
        <translation>이 대화방에는 비밀번호가 필요합니다.</translation>
    </message>
    <message>
        <source>The password is not right.</source>
        <translation>비밀번호가 올바르지 않습니다.</translation>
    </message>
    <message>
        <source>This room speaks Confab protocol version %1; your program speaks version %2. Update the older of the two.</source>
        <translation>Confab 프로토콜 버전이 맞지 않습니다(이 대화방: %1, 사용 중인 프로그램: %2). 둘 중 오래된 쪽을 업데이트하십시오.</translation>
    </message>
    <message>
        <source>The nickname &quot;%1&quot; is already in use in this room.</source>
        <translation>이 대화방에서는 &quot;%1&quot; 닉네임을 이미 누군가 쓰고 있습니다.</translation>
    </message>
    <message>
        <source>A direct message goes to someone else.</source>
        <translation>개인 메시지는 다른 사람에게 보내야 합니다.</translation>
    </message>
    <message>
        <source>Nobody called &quot;%1&quot; can receive a direct message here now.</source>
        <translation>지금 이 대화방에는 개인 메시지를 받을 수 있는 &quot;%1&quot; 님이 없습니다.</translation>
    </message>
    <message>
        <source>The message you reply to is not there.</source>
        <translation>답장하려는 메시지가 없습니다.</translation>
    </message>
    <message>
        <source>A message cannot be empty.</source>
        <translation>메시지는 비워 둘 수 없습니다.</translation>
    </message>
    <message>
        <source>A message cannot contain control characters.</source>
        <translation>메시지에는 제어 문자를 쓸 수 없습니다.</translation>
    </message>
    <message>
        <source>A message can have at most %1 characters; this one has %2.</source>
        <translation>메시지는 최대 %1자까지 쓸 수 있습니다. 이 메시지는 %2자입니다.</translation>
    </message>
    <message>
        <source>The room could not store this message; try again.</source>
        <translation>대화방이 이 메시지를 저장하지 못했습니다. 다시 시도하십시오.</translation>
    </message>
    <message>
        <source>That message is not there (any more).</source>
        <translation>그 메시지는 (더 이상) 없습니다.</translation>
    </message>
    <message>
        <source>Only the sender of a message can %1 it.</source>
        <translation>메시지를 보낸 사람만 %1 수 있습니다.</translation>
    </message>
    <message>
        <source>The room could not store the change; try again.</source>
        <translation>대화방이 변경 내용을 저장하지 못했습니다. 다시 시도하십시오.</translation>
    </message>
    <message>
        <source>edit</source>
        <translation>수정할</translation>
    </message>
    <message>
        <source>delete</source>
        <translation>삭제할</translation>
    </message>
    <message>
        <source>react to</source>
        <translation>반응을 남길</translation>
    </message>
    <message>
        <source>The room is full (%1 connections); try again later.</source>
        <translation>대화방이 가득 찼습니다(연결 %1개). 나중에 다시 시도하십시오.</translation>
    </message>
    <message>
        <source>This room needs a password; join it from Confab or from the room&apos;s own web page.</source>
        <translation>이 대화방에는 비밀번호가 필요합니다. Confab이나 대화방 자체 웹 페이지에서 참여하십시오.</translation>
    </message>
    <message>
        <source>A message can carry at most %1 different reactions.</source>
        <translation>메시지 하나에는 반응을 최대 %1가지까지 남길 수 있습니다.</translation>
    </message>
    <message numerus="yes">
        <source>Welcome to %1. You are %2. Here: %3 and %n more.</source>
        <translation>
            <numerusform>%1에 오신 것을 환영합니다. 닉네임은 %2입니다. 현재 참여자: %3 외 %n명.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 shared the file &quot;%2&quot;.</source>
        <translation>%1 님이 &quot;%2&quot; 파일을 공유했습니다.</translation>
    </message>
    <message>
        <source>This room does not take files.</source>
        <translation>이 대화방에서는 파일을 공유할 수 없습니다.</translation>
    </message>
    <message numerus="yes">
        <source>At most %n uploads can be under way at once.</source>
        <translation>
            <numerusform>한 번에 최대 %n개까지 업로드할 수 있습니다.</numerusform>
        </translation>
    </message>
    <message>
        <source>A file can have at most %1 bytes; this one has %2.</source>
        <translation>파일은 최대 %1바이트까지 보낼 수 있습니다. 이 파일은 %2바이트입니다.</translation>
    </message>
    <message>
        <source>Nobody called &quot;%1&quot; can receive a file here now.</source>
        <translation>지금 이 대화방에는 파일을 받을 수 있는 &quot;%1&quot; 님이 없습니다.</translation>
    </message>
    <message>
        <source>This file is too big for the room.</source>
        <translation>이 대화방에 보내기에는 파일이 너무 큽니다.</translation>
    </message>
    <message>
        <source>The room has no space left for this file.</source>
        <translation>대화방에 이 파일을 저장할 공간이 없습니다.</translation>
    </message>
    <message>
        <source>The room could not store this file; try again.</source>
        <translation>대화방이 이 파일을 저장하지 못했습니다. 다시 시도하십시오.</translation>
    </message>
    <message>
        <source>The room expected the bytes from offset %1.</source>
        <translation>대화방은 오프셋 %1부터의 바이트를 기다리고 있었습니다.</translation>
    </message>
    <message>
        <source>The file did not arrive as it was sent (its SHA-256 does not match); nothing was stored.</source>
        <translation>파일이 보낸 그대로 도착하지 않아(SHA-256 불일치) 아무것도 저장하지 않았습니다.</translation>
    </message>
    <message>
        <source>No upload with that id is under way.</source>
        <translation>그 ID로 진행 중인 업로드가 없습니다.</translation>
    </message>
    <message>
        <source>That file is not there (any more).</source>
        <translation>그 파일은 (더 이상) 없습니다.</translation>
    </message>
    <message>
        <source>The file has only %1 bytes.</source>
        <translation>파일 크기는 %1바이트뿐입니다.</translation>
    </message>
    <message numerus="yes">
        <source>At most %n downloads can be under way at once; wait for one to finish.</source>
        <translation>
            <numerusform>한 번에 최대 %n개까지 내려받을 수 있습니다. 하나가 끝날 때까지 기다리십시오.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RoomAddress</name>
    <message>
        <source>Enter the room&apos;s address, such as 192.168.1.20 or ws://192.168.1.20:%1.</source>
        <translation>대화방 주소를 입력하십시오. 예: 192.168.1.20 또는 ws://192.168.1.20:%1</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a room address; try something like 192.168.1.20 or ws://192.168.1.20:%2.</source>
        <translation>대화방 주소가 아닙니다: &quot;%1&quot;. 192.168.1.20 또는 ws://192.168.1.20:%2 형식으로 입력하십시오.</translation>
    </message>
    <message>
        <source>A room address starts with ws:// or wss://, not %1://.</source>
        <translation>대화방 주소는 ws:// 또는 wss://로 시작해야 합니다. 입력한 주소: %1://</translation>
    </message>
    <message>
        <source>The port must be a number from 1 to 65535.</source>
        <translation>포트는 1부터 65535까지의 숫자여야 합니다.</translation>
    </message>
</context>
<context>
    <name>RoomBeacon</name>
    <message>
        <source>Cannot announce the room to %1 port %2: %3</source>
        <translation>%1 포트 %2번으로 대화방을 알릴 수 없습니다: %3</translation>
    </message>
    <message>
        <source>Cannot keep the room&apos;s id in %1: %2</source>
        <translation>대화방 ID를 %1에 저장할 수 없습니다: %2</translation>
    </message>
</context>
<context>
    <name>RoomBrowser</name>
    <message>
        <source>Room</source>
        <translation>대화방</translation>
    </message>
    <message>
        <source>People</source>
        <translation>인원</translation>
    </message>
    <message>
        <source>Encrypted</source>
        <translation>암호화</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>주소</translation>
    </message>
    <message>
        <source>%1 asks for a password.</source>
        <translation>%1 대화방에는 비밀번호가 필요합니다.</translation>
    </message>
    <message>
        <source>Messages to this room are encrypted (wss://).</source>
        <translation>이 대화방의 메시지는 암호화되어 전송됩니다(wss://).</translation>
    </message>
    <message>
        <source>No rooms heard on the network yet. Rooms announce themselves every few seconds.</source>
        <translation>아직 네트워크에서 찾은 대화방이 없습니다. 대화방은 몇 초마다 자신을 알립니다.</translation>
    </message>
</context>
<context>
    <name>RoomFinder</name>
    <message>
        <source>Cannot listen for rooms on UDP port %1: %2</source>
        <translation>UDP 포트 %1번에서 대화방을 찾을 수 없습니다: %2</translation>
    </message>
</context>
<context>
    <name>RoomPassword</name>
    <message>
        <source>Cannot read the password file %1: %2</source>
        <translation>비밀번호 파일을 읽을 수 없습니다: %1: %2</translation>
    </message>
    <message>
        <source>The password file %1 is empty; its first line is the room&apos;s password.</source>
        <translation>비밀번호 파일이 비어 있습니다: %1. 파일의 첫 줄이 대화방 비밀번호입니다.</translation>
    </message>
</context>
<context>
    <name>RoomServer</name>
    <message>
        <source>Cannot open the room&apos;s history in %1: %2</source>
        <translation>%1에 있는 대화방 기록을 열 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Port %1 is already in use on %2; choose another port (or 0 for any free one).</source>
        <translation>%2에서 포트 %1번을 이미 사용 중입니다. 다른 포트를 고르십시오(0이면 빈 포트를 자동으로 고릅니다).</translation>
    </message>
    <message>
        <source>Cannot listen on %1 port %2: %3</source>
        <translation>%1 포트 %2번에서 연결을 받을 수 없습니다: %3</translation>
    </message>
    <message>
        <source>Cannot open the room&apos;s files in %1: %2</source>
        <translation>%1에 있는 대화방 파일을 열 수 없습니다: %2</translation>
    </message>
</context>
<context>
    <name>ServerOptions</name>
    <message>
        <source>Port to listen on (default %1; 0 picks a free one).</source>
        <translation>연결을 받을 포트 (기본값 %1, 0이면 빈 포트를 고릅니다).</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>Address to listen on (default: all).</source>
        <translation>연결을 받을 주소 (기본값: 전체).</translation>
    </message>
    <message>
        <source>ADDR</source>
        <translation>ADDR</translation>
    </message>
    <message>
        <source>The room&apos;s name.</source>
        <translation>대화방 이름.</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NAME</translation>
    </message>
    <message>
        <source>Where the room keeps its history.</source>
        <translation>대화방 기록을 보관할 디렉터리.</translation>
    </message>
    <message>
        <source>DIR</source>
        <translation>DIR</translation>
    </message>
    <message>
        <source>Serve wss:// with this PEM certificate (and --tls-key).</source>
        <translation>이 PEM 인증서로 wss://를 제공합니다 (--tls-key와 함께).</translation>
    </message>
    <message>
        <source>FILE</source>
        <translation>FILE</translation>
    </message>
    <message>
        <source>The unencrypted PEM private key for --tls-cert.</source>
        <translation>--tls-cert에 쓸 암호화되지 않은 PEM 개인 키.</translation>
    </message>
    <message>
        <source>Serve wss:// with a self-signed certificate kept in the data directory.</source>
        <translation>데이터 디렉터리에 보관하는 자체 서명 인증서로 wss://를 제공합니다.</translation>
    </message>
    <message>
        <source>Do not announce the room on the local network (it can still be joined by address).</source>
        <translation>로컬 네트워크에 대화방을 알리지 않습니다 (주소로는 계속 참여할 수 있습니다).</translation>
    </message>
    <message>
        <source>Messages kept in history (default %1).</source>
        <translation>기록에 보관할 메시지 수 (기본값 %1).</translation>
    </message>
    <message>
        <source>--%1 takes a whole number from %2 to %3, not &quot;%4&quot;.</source>
        <translation>--%1에는 %2부터 %3까지의 정수를 지정해야 합니다. 입력한 값: &quot;%4&quot;</translation>
    </message>
    <message>
        <source>Connections the room accepts in total (default %1).</source>
        <translation>대화방이 받는 전체 연결 수 (기본값 %1).</translation>
    </message>
    <message>
        <source>Connections from one IP address (default %1).</source>
        <translation>IP 주소 하나당 연결 수 (기본값 %1).</translation>
    </message>
    <message>
        <source>Chat messages per second per client, after a burst of %1 (default %2; 0: no limit).</source>
        <translation>클라이언트당 초당 채팅 메시지 수, 처음 한꺼번에 %1개까지 허용 (기본값 %2, 0: 제한 없음).</translation>
    </message>
    <message>
        <source>Characters in one chat message (default %1).</source>
        <translation>채팅 메시지 하나의 최대 글자 수 (기본값 %1).</translation>
    </message>
    <message>
        <source>Bytes in one WebSocket frame or message (default %1).</source>
        <translation>WebSocket 프레임 또는 메시지 하나의 최대 바이트 수 (기본값 %1).</translation>
    </message>
    <message>
        <source>BYTES</source>
        <translation>BYTES</translation>
    </message>
    <message>
        <source>Bytes waiting for a client that does not read before it is dropped (default %1).</source>
        <translation>읽지 않는 클라이언트의 연결을 끊기 전까지 쌓아 둘 바이트 수 (기본값 %1).</translation>
    </message>
    <message>
        <source>Seconds of silence before a client is dropped; it is pinged first (default %1).</source>
        <translation>응답이 없는 클라이언트의 연결을 끊기까지의 초 (먼저 ping을 보냅니다, 기본값 %1).</translation>
    </message>
    <message>
        <source>S</source>
        <translation>S</translation>
    </message>
    <message>
        <source>A web page origin allowed to connect besides the room&apos;s own (repeatable; * for any, null for local files).</source>
        <translation>대화방 자체 외에 연결을 허용할 웹 페이지 출처 (여러 번 지정 가능, *는 모든 출처, null은 로컬 파일).</translation>
    </message>
    <message>
        <source>ORIGIN</source>
        <translation>ORIGIN</translation>
    </message>
    <message>
        <source>A file whose first line is the room&apos;s password.</source>
        <translation>첫 줄이 대화방 비밀번호인 파일.</translation>
    </message>
    <message>
        <source>--port takes a number from 0 to 65535, not &quot;%1&quot;.</source>
        <translation>--port에는 0부터 65535까지의 숫자를 지정해야 합니다. 입력한 값: &quot;%1&quot;</translation>
    </message>
    <message>
        <source>--bind takes an IP address such as 0.0.0.0 or 127.0.0.1, not &quot;%1&quot;.</source>
        <translation>--bind에는 0.0.0.0이나 127.0.0.1 같은 IP 주소를 지정해야 합니다. 입력한 값: &quot;%1&quot;</translation>
    </message>
    <message>
        <source>--room takes a name of 1 to %1 characters.</source>
        <translation>--room에는 1~%1자의 이름을 지정해야 합니다.</translation>
    </message>
    <message>
        <source>--history-limit takes a number of messages, at least 1.</source>
        <translation>--history-limit에는 1 이상의 메시지 수를 지정해야 합니다.</translation>
    </message>
    <message>
        <source>--tls-cert needs --tls-key with the certificate&apos;s private key.</source>
        <translation>--tls-cert를 쓰려면 인증서의 개인 키를 --tls-key로 지정해야 합니다.</translation>
    </message>
    <message>
        <source>--tls-key needs --tls-cert with the key&apos;s certificate.</source>
        <translation>--tls-key를 쓰려면 키의 인증서를 --tls-cert로 지정해야 합니다.</translation>
    </message>
    <message>
        <source>Give either --tls-cert and --tls-key, or --tls-self-signed, not both.</source>
        <translation>--tls-cert와 --tls-key, 또는 --tls-self-signed 중 한쪽만 지정하십시오.</translation>
    </message>
    <message>
        <source>--tls-cert and --tls-key take file names.</source>
        <translation>--tls-cert와 --tls-key에는 파일 이름을 지정해야 합니다.</translation>
    </message>
    <message>
        <source>Bytes in one shared file (default %1).</source>
        <translation>공유 파일 하나의 최대 바이트 수 (기본값 %1).</translation>
    </message>
    <message>
        <source>Bytes of shared files the room keeps in all (default %1).</source>
        <translation>대화방이 보관하는 공유 파일 전체의 최대 바이트 수 (기본값 %1).</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <source>No valid hello arrived in time.</source>
        <translation>제시간에 올바른 hello 메시지가 오지 않았습니다.</translation>
    </message>
    <message>
        <source>error: %1</source>
        <translation>오류: %1</translation>
    </message>
    <message>
        <source>Too many messages; the connection is closed.</source>
        <translation>메시지가 너무 많아 연결을 종료합니다.</translation>
    </message>
    <message>
        <source>Too many messages at once; try again in a moment.</source>
        <translation>한꺼번에 보낸 메시지가 너무 많습니다. 잠시 후 다시 시도하십시오.</translation>
    </message>
    <message>
        <source>This connection has already joined the room.</source>
        <translation>이 연결은 이미 대화방에 참여했습니다.</translation>
    </message>
    <message>
        <source>Say hello before anything else.</source>
        <translation>다른 메시지보다 hello를 먼저 보내야 합니다.</translation>
    </message>
    <message>
        <source>File data is arriving too fast; slow down.</source>
        <translation>파일 데이터가 너무 빨리 들어오고 있습니다. 속도를 줄이십시오.</translation>
    </message>
    <message>
        <source>That file is not there (any more).</source>
        <translation>그 파일은 (더 이상) 없습니다.</translation>
    </message>
    <message>
        <source>The room could not read that file.</source>
        <translation>대화방이 그 파일을 읽지 못했습니다.</translation>
    </message>
    <message>
        <source>Files cannot be shared from a plain WebSocket connection.</source>
        <translation>일반 WebSocket 연결에서는 파일을 공유할 수 없습니다.</translation>
    </message>
    <message>
        <source>This binary message is not a file chunk.</source>
        <translation>이 바이너리 메시지는 파일 조각이 아닙니다.</translation>
    </message>
    <message>
        <source>No upload with that id is under way.</source>
        <translation>그 ID로 진행 중인 업로드가 없습니다.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>&amp;Mute notifications of new messages</source>
        <translation>새 메시지 알림 끄기(&amp;M)</translation>
    </message>
    <message>
        <source>The new language is used the next time Confab starts.</source>
        <translation>새 언어는 Confab을 다음에 시작할 때 적용됩니다.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>설정</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>시스템 언어</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>언어(&amp;L):</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>찾아보기(&amp;B)…</translation>
    </message>
    <message>
        <source>Save files &amp;in:</source>
        <translation>파일 저장 위치(&amp;I):</translation>
    </message>
    <message>
        <source>Save files in</source>
        <translation>파일 저장 위치</translation>
    </message>
</context>
<context>
    <name>StartDialog</name>
    <message>
        <source>Confab</source>
        <translation>Confab</translation>
    </message>
    <message>
        <source>How others will see you</source>
        <translation>다른 사람에게 보일 이름</translation>
    </message>
    <message>
        <source>any free port</source>
        <translation>빈 포트 자동 선택</translation>
    </message>
    <message>
        <source>0 picks any free port; others then need the address shown in the chat window.</source>
        <translation>0이면 빈 포트를 자동으로 고릅니다. 이때 다른 사람은 대화 창에 표시되는 주소로 참여해야 합니다.</translation>
    </message>
    <message>
        <source>Room &amp;name:</source>
        <translation>대화방 이름(&amp;N):</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>포트(&amp;P):</translation>
    </message>
    <message>
        <source>192.168.1.20 or ws://192.168.1.20:%1</source>
        <translation>192.168.1.20 또는 ws://192.168.1.20:%1</translation>
    </message>
    <message>
        <source>Room &amp;address:</source>
        <translation>대화방 주소(&amp;A):</translation>
    </message>
    <message>
        <source>&amp;Host a room</source>
        <translation>대화방 열기(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Join a room</source>
        <translation>대화방 참여(&amp;J)</translation>
    </message>
    <message>
        <source>&amp;Nickname:</source>
        <translation>닉네임(&amp;N):</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>참여</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>열기</translation>
    </message>
    <message>
        <source>Give the room a name, so that people know where they are.</source>
        <translation>사람들이 어느 대화방인지 알 수 있도록 대화방 이름을 정하십시오.</translation>
    </message>
    <message>
        <source>&amp;Encrypt (wss://)</source>
        <translation>암호화(&amp;E) (wss://)</translation>
    </message>
    <message>
        <source>Optional: only people who know it get in</source>
        <translation>선택 사항: 비밀번호를 아는 사람만 들어올 수 있습니다</translation>
    </message>
    <message>
        <source>Messages travel encrypted. The room makes its own certificate; members are asked to trust it the first time they join.</source>
        <translation>메시지가 암호화되어 전송됩니다. 대화방이 자체 인증서를 만들고, 참여하는 사람은 처음 참여할 때 이 인증서를 신뢰할지 확인합니다.</translation>
    </message>
    <message>
        <source>Pass&amp;word:</source>
        <translation>비밀번호(&amp;W):</translation>
    </message>
    <message>
        <source>Rooms on your &amp;network:</source>
        <translation>네트워크의 대화방(&amp;N):</translation>
    </message>
    <message>
        <source>&amp;Recent rooms:</source>
        <translation>최근 대화방(&amp;R):</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>설정(&amp;S)…</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1 asks for a password.</source>
        <translation>%1 대화방에는 비밀번호가 필요합니다.</translation>
    </message>
</context>
<context>
    <name>TlsIdentity</name>
    <message>
        <source>%1 holds no PEM certificate (a block starting with &quot;-----BEGIN CERTIFICATE-----&quot;).</source>
        <translation>%1에 PEM 인증서(&quot;-----BEGIN CERTIFICATE-----&quot;로 시작하는 블록)가 없습니다.</translation>
    </message>
    <message>
        <source>The certificate in %1 expired on %2.</source>
        <translation>%1의 인증서는 %2에 만료되었습니다.</translation>
    </message>
    <message>
        <source>The certificate in %1 is not valid before %2.</source>
        <translation>%1의 인증서는 %2 전에는 유효하지 않습니다.</translation>
    </message>
    <message>
        <source>The private key in %1 is protected by a passphrase; Confab needs it unencrypted (openssl pkey -in KEY -out PLAIN-KEY), readable only by the room&apos;s user.</source>
        <translation>%1의 개인 키는 암호로 보호되어 있습니다. Confab에는 암호화되지 않은 키가 필요하며(openssl pkey -in KEY -out PLAIN-KEY), 이 키는 대화방을 실행하는 사용자만 읽을 수 있어야 합니다.</translation>
    </message>
    <message>
        <source>%1 holds no PEM private key (a block starting with &quot;-----BEGIN PRIVATE KEY-----&quot;).</source>
        <translation>%1에 PEM 개인 키(&quot;-----BEGIN PRIVATE KEY-----&quot;로 시작하는 블록)가 없습니다.</translation>
    </message>
    <message>
        <source>Cannot read the certificate in %1: %2.</source>
        <translation>%1의 인증서를 읽을 수 없습니다: %2.</translation>
    </message>
    <message>
        <source>The private key in %1 does not belong to the certificate in %2.</source>
        <translation>%1의 개인 키가 %2의 인증서와 짝이 맞지 않습니다.</translation>
    </message>
    <message>
        <source>The private key in %1 is of a kind Confab cannot use; use an RSA or EC (P-256) key.</source>
        <translation>%1의 개인 키는 Confab이 사용할 수 없는 종류입니다. RSA 또는 EC(P-256) 키를 사용하십시오.</translation>
    </message>
    <message>
        <source>Cannot read the private key in %1: %2.</source>
        <translation>%1의 개인 키를 읽을 수 없습니다: %2.</translation>
    </message>
    <message>
        <source>Qt&apos;s TLS backend cannot use the private key in %1.</source>
        <translation>Qt의 TLS 백엔드가 %1의 개인 키를 사용할 수 없습니다.</translation>
    </message>
    <message>
        <source>Cannot make a self-signed certificate (%1): %2.</source>
        <translation>자체 서명 인증서를 만들 수 없습니다(%1): %2.</translation>
    </message>
    <message>
        <source>Qt&apos;s TLS backend cannot read the certificate Confab made.</source>
        <translation>Qt의 TLS 백엔드가 Confab이 만든 인증서를 읽을 수 없습니다.</translation>
    </message>
    <message>
        <source>The room&apos;s self-signed certificate cannot be used. %1 To make a new one, delete %2 and %3; members who joined before will then be warned that the room&apos;s certificate changed.</source>
        <translation>대화방의 자체 서명 인증서를 사용할 수 없습니다. %1 새 인증서를 만들려면 %2 파일과 %3 파일을 삭제하십시오. 그러면 전에 참여했던 사람은 대화방의 인증서가 바뀌었다는 경고를 받습니다.</translation>
    </message>
    <message>
        <source>Cannot create the directory %1 for the room&apos;s certificate.</source>
        <translation>대화방 인증서를 저장할 디렉터리를 만들 수 없습니다: %1.</translation>
    </message>
    <message>
        <source>unknown OpenSSL error</source>
        <translation>알 수 없는 OpenSSL 오류</translation>
    </message>
    <message>
        <source>Cannot read the %1 file %2: %3.</source>
        <translation>%1 파일을 읽을 수 없습니다: %2: %3.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2.</source>
        <translation>%1에 쓸 수 없습니다: %2.</translation>
    </message>
    <message>
        <source>Cannot set the permissions of %1.</source>
        <translation>%1의 권한을 설정할 수 없습니다.</translation>
    </message>
</context>
<context>
    <name>TrayNotifier</name>
    <message>
        <source>Confab</source>
        <translation>Confab</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>--cli needs --join URL.</source>
        <translation>--cli에는 --join URL 옵션이 필요합니다.</translation>
    </message>
    <message>
        <source>--cli needs --nick NAME.</source>
        <translation>--cli에는 --nick NAME 옵션이 필요합니다.</translation>
    </message>
    <message>
        <source>Confab: chat rooms for the local network.</source>
        <translation>Confab: 로컬 네트워크용 대화방.</translation>
    </message>
    <message>
        <source>Run the room headless: no window, logs to stderr.</source>
        <translation>창 없이 대화방을 실행합니다. 로그는 stderr로 출력합니다.</translation>
    </message>
    <message>
        <source>Open the GUI hosting a room, without the start dialog.</source>
        <translation>시작 대화 상자 없이 대화방을 열고 GUI를 시작합니다.</translation>
    </message>
    <message>
        <source>Open the GUI joining the room at URL (ws://HOST:PORT).</source>
        <translation>URL(ws://HOST:PORT)의 대화방에 참여하며 GUI를 시작합니다.</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>With --join: no window; send standard input&apos;s lines, print the room&apos;s messages.</source>
        <translation>--join과 함께 사용: 창 없이 표준 입력의 각 줄을 보내고 대화방의 메시지를 출력합니다.</translation>
    </message>
    <message>
        <source>Your nickname.</source>
        <translation>닉네임.</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NAME</translation>
    </message>
    <message>
        <source>--join takes a room address such as ws://192.168.1.20:%1, not &quot;%2&quot;.</source>
        <translation>--join에는 ws://192.168.1.20:%1 같은 대화방 주소를 지정해야 합니다. 입력한 값: &quot;%2&quot;</translation>
    </message>
</context>
</TS>
