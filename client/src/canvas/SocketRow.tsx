/** One input or output socket: a handle coloured by its type, and its name. */
import { memo } from 'react';
import { Handle, Position } from '@xyflow/react';
import type { SocketSpec } from '../../../protocol/schema';
import { socketColor } from '../graph/sockets';
import { inputHandle, outputHandle } from '../graph/ids';

interface Props {
  socket: SocketSpec;
  side: 'input' | 'output';
  missing?: boolean;
  /** Shown instead of the socket's name (a converted parameter's socket shows the parameter's name). */
  label?: string;
}

export const SocketRow = memo(function SocketRow({ socket, side, missing, label }: Props) {
  const id = side === 'input' ? inputHandle(socket.name) : outputHandle(socket.name);
  const title = `${socket.name}: ${socket.type}${socket.optional ? ' (optional)' : ''}${socket.list ? ' (list)' : ''}${socket.tooltip ? `\n${socket.tooltip}` : ''}`;
  return (
    <div className={`socket ${side} ${missing ? 'missing' : ''}`} title={title}>
      <Handle
        type={side === 'input' ? 'target' : 'source'}
        position={side === 'input' ? Position.Left : Position.Right}
        id={id}
        style={{ background: socketColor(socket.type), borderRadius: socket.list ? 2 : '50%' }}
        data-testid={`handle-${side}-${socket.name}`}
      />
      <span>{label ?? socket.name}</span>
      <span className="socket-type">{socket.type}</span>
    </div>
  );
});
