/** The widget for a parameter, chosen by its kind. */
import { memo } from 'react';
import { assertNever } from '../../../protocol/messages';
import { BooleanWidget } from './BooleanWidget';
import { EnumWidget } from './EnumWidget';
import { ListWidget } from './ListWidget';
import { NumberWidget } from './NumberWidget';
import { PathWidget } from './PathWidget';
import { SeedWidget } from './SeedWidget';
import { TextWidget } from './TextWidget';
import type { WidgetProps } from './types';

export const ParamWidget = memo(function ParamWidget(props: WidgetProps) {
  const kind = props.spec.kind;
  switch (kind) {
    case 'number':
    case 'int':
      return <NumberWidget {...props} />;
    case 'seed':
      return <SeedWidget {...props} />;
    case 'string':
    case 'text':
      return <TextWidget {...props} />;
    case 'enum':
      return <EnumWidget {...props} />;
    case 'boolean':
      return <BooleanWidget {...props} />;
    case 'path':
      return <PathWidget {...props} />;
    case 'list':
      return <ListWidget {...props} />;
    default:
      return assertNever(kind);
  }
});
